//! The fuzz suite's mutations of a JSON file: structured (steps, arrays, numbers, strings,
//! fields, objects given by position, integers of 2^64) and on the bytes (cut, a bit
//! flipped, a byte inserted), each aimed at the `k`-th node of its kind, so any `k` hits
//! something where there is anything to hit.

use proptest::prelude::*;
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub enum Mutation {
    /// Of the `k`-th array (the steps, a script, lines, properties, ...): delete, duplicate,
    /// swap two elements.
    Delete(usize, usize),
    Duplicate(usize, usize),
    Swap(usize, usize, usize),
    /// Delete, duplicate or swap steps (or a script's steps) themselves.
    DeleteStep(usize),
    DuplicateStep(usize),
    SwapSteps(usize, usize),
    /// The `k`-th number, string or node of any kind becomes `value`.
    Number(usize, Value),
    Text(usize, String),
    Retype(usize, Value),
    /// A character inserted into, or the last character removed from, the `k`-th string.
    InsertChar(usize, usize, char),
    Shorten(usize),
    /// Drop the `k`-th field anywhere; add a field to the `k`-th object.
    DropField(usize),
    AddField(usize, String, Value),
    /// The `k`-th object as an array of its values, as serde would read it by position.
    Positional(usize),
    /// The `k`-th number as an integer of 2^64 or more.
    Huge(usize),
    /// The bytes: cut at an offset, a bit flipped, a byte inserted.
    Truncate(usize),
    FlipBit(usize, u8),
    InsertByte(usize, u8),
}

fn numbers() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(2)),
        Just(json!(3)),
        Just(json!(9)),
        Just(json!(10)),
        Just(json!(99)),
        Just(json!(256)),
        Just(json!(4294967296u64)),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
        Just(json!(1.5)),
        (0u64..400).prop_map(|n| json!(n)),
    ]
}

fn strings() -> impl Strategy<Value = String> {
    let words = [
        "",
        "rfc7162",
        "rfc5162",
        "rfc5162+1808",
        "C1",
        "C2",
        "C3",
        "C0",
        "views-converge",
        "resync-point-safe",
        "close-expunged-unseen-deleted",
        "nothing",
        "everything",
        "flag-changes",
        "send",
        "read",
        "drop",
        "arrive",
        "remove",
        "close",
        "noop",
        "resync",
        "\\Deleted",
        "\\Seen",
        "x\u{0}y",
        "line\nbreak",
        "\u{feff}",
        "é",
        "resync-check 0.1.0",
        "resync-check 9.9.9",
        "rm -rf ~",
        "swarm",
        "0/3",
        "5/3",
        "a1 OK done",
        "* 1 EXISTS",
        "send",
        "omit",
        "report",
        "exact",
        "superset",
        "known-uids",
        "all-uids",
        "keep",
    ];
    prop_oneof![
        proptest::sample::select(words.to_vec()).prop_map(str::to_string),
        Just("x".repeat(300)),
        "[a-z0-9 .+=-]{0,12}",
    ]
}

fn values() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!([])),
        Just(json!({})),
        Just(json!([1, 2])),
        Just(json!({"a": 1})),
        numbers(),
        strings().prop_map(Value::String),
    ]
}

fn field_names() -> impl Strategy<Value = String> {
    let names = [
        "state",
        "uid",
        "select",
        "client",
        "request",
        "server_sends",
        "sent",
        "queued",
        "read",
        "lost",
        "arrivals",
        "removals",
        "colour",
        "do",
        "format_version",
        "script",
        "expect",
        "properties",
        "description",
        "unique_states",
        "shard",
        "walks",
    ];
    proptest::sample::select(names.to_vec()).prop_map(str::to_string)
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let k = || 0usize..10_000;
    let arrays = prop_oneof![
        (k(), k()).prop_map(|(a, i)| Mutation::Delete(a, i)),
        (k(), k()).prop_map(|(a, i)| Mutation::Duplicate(a, i)),
        (k(), k(), k()).prop_map(|(a, i, j)| Mutation::Swap(a, i, j)),
        k().prop_map(Mutation::DeleteStep),
        k().prop_map(Mutation::DuplicateStep),
        (k(), k()).prop_map(|(i, j)| Mutation::SwapSteps(i, j)),
    ];
    let scalars = prop_oneof![
        (k(), numbers()).prop_map(|(n, v)| Mutation::Number(n, v)),
        (k(), strings()).prop_map(|(n, s)| Mutation::Text(n, s)),
        (k(), values()).prop_map(|(n, v)| Mutation::Retype(n, v)),
        (k(), k(), any::<char>()).prop_map(|(n, i, c)| Mutation::InsertChar(n, i, c)),
        k().prop_map(Mutation::Shorten),
        k().prop_map(Mutation::Huge),
    ];
    let fields = prop_oneof![
        k().prop_map(Mutation::DropField),
        (k(), field_names(), values()).prop_map(|(n, f, v)| Mutation::AddField(n, f, v)),
        k().prop_map(Mutation::Positional),
    ];
    let bytes = prop_oneof![
        k().prop_map(Mutation::Truncate),
        (k(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (k(), any::<u8>()).prop_map(|(i, b)| Mutation::InsertByte(i, b)),
    ];
    prop_oneof![3 => arrays, 4 => scalars, 2 => fields, 2 => bytes]
}

/// Every node of `value` in pre-order, as paths of keys and indices.
#[derive(Clone, Debug)]
enum Key {
    Field(String),
    Index(usize),
}

fn nodes(value: &Value, path: &mut Vec<Key>, out: &mut Vec<Vec<Key>>) {
    out.push(path.clone());
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Key::Index(i));
                nodes(item, path, out);
                path.pop();
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                path.push(Key::Field(key.clone()));
                nodes(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(value: &'a mut Value, path: &[Key]) -> &'a mut Value {
    path.iter().fold(value, |v, key| match key {
        Key::Field(f) => &mut v[f.as_str()],
        Key::Index(i) => &mut v[*i],
    })
}

/// The paths of the nodes of `value` for which `keep` holds.
fn paths(value: &Value, keep: impl Fn(&Value) -> bool) -> Vec<Vec<Key>> {
    let mut all = Vec::new();
    nodes(value, &mut Vec::new(), &mut all);
    let mut root = value.clone();
    all.into_iter().filter(|p| keep(at(&mut root, p))).collect()
}

/// The `k`-th (mod their number) node for which `keep` holds, if any.
fn pick(value: &mut Value, k: usize, keep: impl Fn(&Value) -> bool) -> Option<&mut Value> {
    let found = paths(value, keep);
    if found.is_empty() {
        return None;
    }
    let path = found[k % found.len()].clone();
    Some(at(value, &path))
}

/// The steps (of a trace) or the script (of a model file), else any array.
fn steps(value: &mut Value) -> Option<&mut Vec<Value>> {
    let key = ["steps", "script"]
        .into_iter()
        .find(|k| value.get(k).is_some_and(Value::is_array))?;
    value[key].as_array_mut()
}

fn edit_array(items: &mut Vec<Value>, m: &Mutation) {
    if items.is_empty() {
        return;
    }
    let n = items.len();
    match m {
        Mutation::Delete(_, i) | Mutation::DeleteStep(i) => {
            items.remove(i % n);
        }
        Mutation::Duplicate(_, i) | Mutation::DuplicateStep(i) => {
            let item = items[i % n].clone();
            items.insert(i % n, item);
        }
        Mutation::Swap(_, i, j) | Mutation::SwapSteps(i, j) => items.swap(i % n, j % n),
        _ => {}
    }
}

/// `text` with `m` applied; None where it changes nothing.
pub fn apply(text: &str, m: &Mutation) -> Option<Vec<u8>> {
    let mut bytes = text.as_bytes().to_vec();
    match *m {
        Mutation::Truncate(i) => {
            bytes.truncate(i % bytes.len());
            return Some(bytes);
        }
        Mutation::FlipBit(i, bit) => {
            let n = bytes.len();
            bytes[i % n] ^= 1 << bit;
            return Some(bytes);
        }
        Mutation::InsertByte(i, b) => {
            let n = bytes.len();
            bytes.insert(i % n, b);
            return Some(bytes);
        }
        _ => {}
    }
    let mut value: Value = serde_json::from_str(text).unwrap();
    match m {
        Mutation::Delete(a, _) | Mutation::Duplicate(a, _) | Mutation::Swap(a, _, _) => {
            let items = pick(&mut value, *a, Value::is_array)?.as_array_mut()?;
            edit_array(items, m);
        }
        Mutation::DeleteStep(k) | Mutation::DuplicateStep(k) | Mutation::SwapSteps(k, _) => {
            // A model file without a script: another array (properties, say).
            match steps(&mut value) {
                Some(items) => edit_array(items, m),
                None => edit_array(pick(&mut value, *k, Value::is_array)?.as_array_mut()?, m),
            }
        }
        Mutation::Number(k, v) => *pick(&mut value, *k, Value::is_number)? = v.clone(),
        Mutation::Text(k, s) => *pick(&mut value, *k, Value::is_string)? = json!(s),
        Mutation::Retype(k, v) => *pick(&mut value, *k, |_| true)? = v.clone(),
        Mutation::InsertChar(k, i, c) => {
            let Value::String(s) = pick(&mut value, *k, Value::is_string)? else {
                return None;
            };
            let at = s.char_indices().map(|(i, _)| i).nth(i % (s.len() + 1));
            s.insert(at.unwrap_or(s.len()), *c);
        }
        Mutation::Shorten(k) => {
            let Value::String(s) = pick(&mut value, *k, Value::is_string)? else {
                return None;
            };
            s.pop()?;
        }
        Mutation::DropField(k) => {
            let found = paths(&value, |_| true);
            let fields: Vec<_> = found
                .iter()
                .filter(|p| matches!(p.last(), Some(Key::Field(_))))
                .collect();
            let path = fields.get(k % fields.len().max(1))?;
            let (Some(Key::Field(name)), parent) = (path.last(), &path[..path.len() - 1]) else {
                return None;
            };
            at(&mut value, parent).as_object_mut()?.remove(name);
        }
        Mutation::AddField(k, name, v) => {
            let object = pick(&mut value, *k, Value::is_object)?.as_object_mut()?;
            object.insert(name.clone(), v.clone());
        }
        Mutation::Positional(k) => {
            let node = pick(&mut value, *k, |v| {
                v.as_object().is_some_and(|o| !o.is_empty())
            })?;
            let fields: Vec<Value> = node.as_object()?.values().cloned().collect();
            *node = Value::Array(fields);
        }
        Mutation::Huge(k) => {
            *pick(&mut value, *k, Value::is_number)? = json!("\u{1}HUGE\u{1}");
            let text = serde_json::to_string_pretty(&value).unwrap();
            return Some(
                text.replace("\"\\u0001HUGE\\u0001\"", "18446744073709551616")
                    .into_bytes(),
            );
        }
        _ => unreachable!(),
    }
    Some(serde_json::to_string_pretty(&value).unwrap().into_bytes())
}
