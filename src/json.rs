//! JSON in and out, one way for every file the tool reads or writes: pretty, with a final
//! newline, so the same value always gives the same bytes. Reading is strict and its errors
//! are for people: files are capped in size, a byte-order mark is named, errors give line
//! and column and say what was expected in JSON's terms (an object, an integer from 0 to
//! 255), not in Rust's (`struct RawModel`, `u8`), objects must be objects (serde would take
//! an array of the fields in order, and with it skip the check for unknown fields), and a key
//! given twice is refused wherever it appears.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The largest file the tool reads. Its own files are far smaller (a trace of a few hundred
/// steps is some 100 KiB); the cap keeps `/dev/zero` or a stray log from being read whole.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

pub fn to_pretty<T: Serialize>(value: &T) -> String {
    let mut json = serde_json::to_string_pretty(value).expect("our types serialize");
    json.push('\n');
    json
}

/// One line, for messages that quote a value as a file would hold it.
pub fn to_line<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("our types serialize")
}

/// Reads a text file of at most [`MAX_FILE_BYTES`]; errors name the file.
pub fn read_text(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "{shown}: is larger than {} MiB, more than any file this tool reads",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{shown}: is not UTF-8 text (byte {} is not valid UTF-8)",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Reads a JSON file (see [`read_text`]).
pub fn read(path: &Path) -> Result<String, String> {
    read_text(path)
}

/// Parses `text`; an error reads `line L, column C: what` (or names the field, for an
/// array in place of an object).
pub fn parse<T: DeserializeOwned + Serialize>(text: &str) -> Result<T, String> {
    if text.starts_with('\u{feff}') {
        return Err(
            "line 1, column 1: the file starts with a byte-order mark (U+FEFF), \
                    which JSON does not allow: save it as UTF-8 without one"
                .to_string(),
        );
    }
    let value: T = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the position goes first instead.
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i]);
        format!(
            "line {}, column {}: {}",
            e.line(),
            e.column(),
            plain(message, text, e.line(), e.column())
        )
    })?;
    let input: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let canonical = serde_json::to_value(&value).map_err(|e| e.to_string())?;
    positional(&input, &canonical, "")?;
    Ok(value)
}

/// Where `input` has an array and the value read from it an object, serde took the fields
/// by position: refused, naming where.
fn positional(input: &Value, canonical: &Value, path: &str) -> Result<(), String> {
    match (input, canonical) {
        (Value::Array(_), Value::Object(_)) => Err(format!(
            "{}: an array where an object with named fields belongs (fields by position \
             are not accepted)",
            if path.is_empty() {
                "the file".to_string()
            } else {
                format!("`{path}`")
            }
        )),
        (Value::Array(items), Value::Array(read)) => {
            for (i, (a, b)) in items.iter().zip(read).enumerate() {
                positional(a, b, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Object(fields), Value::Object(read)) => {
            for (key, a) in fields {
                if let Some(b) = read.get(key) {
                    let inner = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    positional(a, b, &inner)?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The integer types the tool reads, as JSON readers know them.
const INTEGERS: [(&str, &str); 4] = [
    ("u8", "an integer from 0 to 255"),
    ("u32", "an integer from 0 to 4294967295"),
    ("u64", "an integer from 0 to 18446744073709551615"),
    ("usize", "an integer from 0 to 18446744073709551615"),
];

/// serde's message in JSON's terms: objects and arrays, not structs, maps and sequences;
/// ranges, not Rust's integer types; an integer too large for 64 bits called so, not
/// "floating point".
fn plain(message: &str, text: &str, line: usize, column: usize) -> String {
    let mut out = message.to_string();
    if out.starts_with("invalid type: floating point") {
        if let Some(token) = token_before(text, line, column).filter(|t| is_integer(t)) {
            if let Some((_, expected)) = out.split_once(", expected ") {
                out = format!("integer {token} is too large, expected {expected}");
            }
        }
    }
    // `invalid length 2, expected struct Trace with 6 elements`: an array was given.
    if out.starts_with("invalid length") && out.contains("expected struct ") {
        return "an array where an object with named fields belongs (fields by position are \
                not accepted)"
            .to_string();
    }
    // `expected struct Trace`.
    while let Some(i) = out.find("struct ") {
        let rest = &out[i + "struct ".len()..];
        let name = rest
            .find(|c: char| !c.is_alphanumeric() && c != '_')
            .unwrap_or(rest.len());
        let mut end = i + "struct ".len() + name;
        if let Some(with) = out[end..].strip_prefix(" with ") {
            if let Some(elements) = with.find(" elements") {
                end += " with ".len() + elements + " elements".len();
            }
        }
        out.replace_range(i..end, "an object with named fields");
    }
    while let Some(i) = out.find("enum ") {
        let rest = &out[i + "enum ".len()..];
        let name = rest
            .find(|c: char| !c.is_alphanumeric() && c != '_')
            .unwrap_or(rest.len());
        out.replace_range(
            i..i + "enum ".len() + name,
            "one of the names the guide in docs/ lists",
        );
    }
    for (rust, json) in INTEGERS {
        if let Some(head) = out.strip_suffix(&format!("expected {rust}")) {
            out = format!("{head}expected {json}");
        }
    }
    let out = out
        .replace("invalid type: map", "invalid type: object")
        .replace("invalid type: sequence", "invalid type: array")
        .replace("expected a sequence", "expected an array")
        .replace("expected a map", "expected an object");
    shorten_quotes(&out)
}

/// The longest quoted value a message repeats whole.
const QUOTE_MAX: usize = 80;

/// `message` with each quoted value (in `"` or backquotes) of more than [`QUOTE_MAX`]
/// characters cut short, and control characters escaped: serde quotes the offending value,
/// which may be 8 KiB of registers or hold a NUL.
pub fn shorten_quotes(message: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<(char, String)> = None;
    for c in message.chars() {
        match &mut quote {
            Some((q, inner)) if c == *q => {
                let count = inner.chars().count();
                let shown: String = inner.chars().take(QUOTE_MAX).collect();
                out.push_str(&shown);
                if count > QUOTE_MAX {
                    out.push_str(&format!("... ({count} characters)"));
                }
                out.push(c);
                quote = None;
            }
            Some((_, inner)) => inner.extend(c.escape_debug()),
            None if c == '"' || c == '`' => {
                out.push(c);
                quote = Some((c, String::new()));
            }
            None if c.is_control() => out.extend(c.escape_debug()),
            None => out.push(c),
        }
    }
    if let Some((_, inner)) = quote {
        out.push_str(&inner);
    }
    out
}

/// The number-like token that ends at (`line`, `column`) of `text` (1-based, inclusive).
fn token_before(text: &str, line: usize, column: usize) -> Option<&str> {
    let row = text.lines().nth(line.checked_sub(1)?)?;
    let end = row
        .char_indices()
        .nth(column.checked_sub(1)?)
        .map_or(
            row.len(),
            |(i, c)| {
                if c.is_ascii_digit() { i + 1 } else { i }
            },
        );
    let head = &row[..end];
    let start = head
        .rfind(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .map_or(0, |i| i + 1);
    Some(&head[start..]).filter(|t| !t.is_empty())
}

fn is_integer(token: &str) -> bool {
    let digits = token.strip_prefix('-').unwrap_or(token);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// For `#[serde(deserialize_with = "...")]`: a map whose keys must each appear once, as the
/// fields of an object must (serde_json would keep the last value of a repeated key).
pub fn unique_map<'de, D, K, V>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Ord + std::fmt::Display,
    V: Deserialize<'de>,
{
    struct Unique<K, V>(std::marker::PhantomData<(K, V)>);
    impl<'de, K, V> Visitor<'de> for Unique<K, V>
    where
        K: Deserialize<'de> + Ord + std::fmt::Display,
        V: Deserialize<'de>,
    {
        type Value = BTreeMap<K, V>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<K>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!("`{key}` is given twice")));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Unique(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        count: u8,
        total: u64,
        #[serde(default, deserialize_with = "unique_map")]
        names: BTreeMap<String, String>,
    }

    #[test]
    fn long_quoted_values_are_cut_and_control_characters_escaped() {
        let long = format!("invalid type: string \"{}\", expected x", "0".repeat(8192));
        let short = shorten_quotes(&long);
        assert_eq!(
            short,
            format!(
                "invalid type: string \"{}... (8192 characters)\", expected x",
                "0".repeat(80)
            )
        );
        assert_eq!(shorten_quotes("unknown `a\u{0}b`"), "unknown `a\\0b`");
    }

    #[test]
    fn errors_speak_json_and_name_the_problem() {
        let err = |text: &str| parse::<Sample>(text).unwrap_err();
        assert_eq!(
            err("\u{feff}{}"),
            "line 1, column 1: the file starts with a byte-order mark (U+FEFF), which JSON \
             does not allow: save it as UTF-8 without one"
        );
        assert_eq!(
            err(r#"{"count": 1, "total": 18446744073709551616}"#),
            "line 1, column 42: integer 18446744073709551616 is too large, expected an \
             integer from 0 to 18446744073709551615"
        );
        assert_eq!(
            err(r#"{"count": 300, "total": 1}"#),
            "line 1, column 13: invalid value: integer `300`, expected an integer from 0 to 255"
        );
        assert_eq!(
            err(r#"[1]"#),
            "line 1, column 3: an array where an object with named fields belongs (fields by \
             position are not accepted)"
        );
        assert_eq!(
            err(r#"[1, 2]"#),
            "the file: an array where an object with named fields belongs (fields by \
             position are not accepted)"
        );
        assert_eq!(
            err(r#"{"count": 1, "total": 2, "names": {"a": "x", "a": "y"}}"#),
            "line 1, column 48: `a` is given twice"
        );
        assert_eq!(
            err(r#""text""#),
            "line 1, column 6: invalid type: string \"text\", expected an object with named \
             fields"
        );
        assert_eq!(
            err(r#"{"count": 1.5, "total": 2}"#),
            "line 1, column 13: invalid type: floating point `1.5`, expected an integer from \
             0 to 255"
        );
    }
}
