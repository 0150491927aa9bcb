//! A model file's path as one shell word, as the commands this tool writes (a trace's
//! `reproduce`) name it. Below both users: `setup` refuses a scripted model file whose path
//! no such command can carry, and `trace` writes those commands and checks them on replay.

/// Whether `path` can stand in a command as it is: letters, digits and `. _ - + = /`, not
/// read as a flag.
pub fn plain_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('-')
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-+=/".contains(c))
}

/// A model file's path as one shell word: as it is if plain, else in single quotes; None if
/// it holds a quote or a control character, which no command this tool writes can carry.
pub fn path_word(path: &str) -> Option<String> {
    if plain_path(path) {
        return Some(path.to_string());
    }
    let quotable = !path.is_empty() && !path.chars().any(|c| c == '\'' || c.is_control());
    quotable.then(|| format!("'{path}'"))
}
