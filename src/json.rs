//! JSON in and out, one way for every file the tool reads or writes: pretty, with a final
//! newline, so the same value always gives the same bytes; parse errors give line and column.

use serde::Serialize;
use serde::de::DeserializeOwned;

pub fn to_pretty<T: Serialize>(value: &T) -> String {
    let mut json = serde_json::to_string_pretty(value).expect("our types serialize");
    json.push('\n');
    json
}

/// One line, for messages that quote a value as a file would hold it.
pub fn to_line<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("our types serialize")
}

/// Parses `text`; an error reads `line L, column C: what`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the position goes first instead.
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i]);
        format!("line {}, column {}: {message}", e.line(), e.column())
    })
}
