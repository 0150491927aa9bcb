//! Small, ordered protocol values: UIDs, mod-sequences, flags, client ids, tags.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A message UID (RFC 3501 section 2.3.1.1). Always non-zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Uid(pub u32);

/// A mod-sequence (RFC 7162 section 3.1). Values on the wire are 1..2^63-1; the model never
/// puts 0 on the wire (RFC 7162 section 7, `mod-sequence-value`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModSeq(pub u64);

/// A system flag the model tracks. `\Deleted` drives EXPUNGE and CLOSE (RFC 3501 section
/// 6.4.2, 6.4.3); `\Seen` is the second flag the issue asks for, a flag change that is not an
/// expunge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Flag {
    #[serde(rename = "\\Deleted")]
    Deleted,
    #[serde(rename = "\\Seen")]
    Seen,
}

impl Flag {
    pub const ALL: [Flag; 2] = [Flag::Deleted, Flag::Seen];

    fn bit(self) -> u8 {
        match self {
            Flag::Deleted => 1,
            Flag::Seen => 2,
        }
    }
}

/// A set of [`Flag`]s as a bit set: cheap to copy, hash and compare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlagSet(u8);

impl FlagSet {
    pub const EMPTY: FlagSet = FlagSet(0);

    pub fn contains(self, flag: Flag) -> bool {
        self.0 & flag.bit() != 0
    }

    pub fn with(self, flag: Flag) -> FlagSet {
        FlagSet(self.0 | flag.bit())
    }

    pub fn without(self, flag: Flag) -> FlagSet {
        FlagSet(self.0 & !flag.bit())
    }

    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

/// Which client replica (and so which connection) an event belongs to; `C1` is index 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(pub u8);

impl ClientId {
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// Parses the name `Display` gives, `C1` for index 0.
    pub fn parse(name: &str) -> Option<ClientId> {
        let n: u8 = name.strip_prefix('C')?.parse().ok()?;
        (n >= 1 && name == format!("C{n}")).then(|| ClientId(n - 1))
    }
}

/// Serialized by name (`"C1"`), as transcripts show it.
impl Serialize for ClientId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClientId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        ClientId::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid client `{name}`, expected C1, C2, ..."))
        })
    }
}

/// A command tag. Each client numbers its tags `a1`, `a2`, ... across its connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(pub u16);

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for ModSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flag::Deleted => "\\Deleted",
            Flag::Seen => "\\Seen",
        })
    }
}

/// Renders as an IMAP flag list, `(\Deleted \Seen)` or `()`.
impl fmt::Display for FlagSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, flag) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{flag}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{}", self.0 + 1)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_set_renders_as_imap_flag_list() {
        assert_eq!(FlagSet::EMPTY.to_string(), "()");
        let both = FlagSet::EMPTY.with(Flag::Seen).with(Flag::Deleted);
        assert_eq!(both.to_string(), "(\\Deleted \\Seen)");
        assert_eq!(both.without(Flag::Deleted).to_string(), "(\\Seen)");
        assert!(!both.without(Flag::Seen).contains(Flag::Seen));
    }
}
