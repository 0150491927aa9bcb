//! The documentation: every relative link in README.md and docs/*.md leads to a file of the
//! repository (and, for `#anchor` links to a markdown page, to a heading there), and the guide's
//! index, docs/README.md, links every page of docs/.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::common::root;

/// README.md and every docs/*.md, as paths relative to the root.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .map(|path| Path::new("docs").join(path.file_name().unwrap()))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The lines of `text` outside fenced code blocks, with their line numbers (from 1).
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            lines.push((i + 1, line));
        }
    }
    lines
}

/// `line` without its inline code spans (text between backticks).
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|&c| c == '`').count();
        let after = &rest[start + ticks..];
        match after.find(&"`".repeat(ticks)) {
            Some(end) => rest = &after[end + ticks..],
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The targets of the inline links and images of `text` (`[text](target)`,
/// `![alt](target "title")`), with their line numbers, outside code.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in prose_lines(text) {
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].split_whitespace().next().unwrap_or("");
            found.push((number, target.to_string()));
            rest = &after[end..];
        }
    }
    found
}

/// GitHub's anchor for a heading: lowercase, spaces to `-`, punctuation dropped except `-`
/// and `_`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of the headings of `text`, a repeated one with `-1`, `-2`, ... as GitHub
/// numbers them.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    for (_, line) in prose_lines(text) {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(&line[hashes..]);
        let mut anchor = base.clone();
        let mut n = 0;
        while anchors.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        anchors.insert(anchor);
    }
    anchors
}

/// `path` with its `.` and `..` components resolved, or None if it climbs above the root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(part) => out.push(part),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// What is wrong with the relative links of `page` (a path relative to the root), one line
/// each.
fn broken_links(page: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(page)).unwrap();
    let mut broken = Vec::new();
    for (number, target) in links(&text) {
        let at = format!("{}:{number}: `{target}`", page.display());
        if target.is_empty() {
            broken.push(format!("{at}: an empty link"));
            continue;
        }
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = match target.split_once('#') {
            Some((file, anchor)) => (file, Some(anchor)),
            None => (target.as_str(), None),
        };
        let resolved = if file.is_empty() {
            Some(page.to_path_buf())
        } else {
            normalize(&page.parent().unwrap().join(file))
        };
        let Some(resolved) = resolved else {
            broken.push(format!("{at}: leads outside the repository"));
            continue;
        };
        if !root().join(&resolved).exists() {
            broken.push(format!("{at}: {} does not exist", resolved.display()));
            continue;
        }
        if let Some(anchor) = anchor {
            if resolved.extension().is_some_and(|ext| ext == "md") {
                let target_text = std::fs::read_to_string(root().join(&resolved)).unwrap();
                if !anchors(&target_text).contains(anchor) {
                    broken.push(format!(
                        "{at}: {} has no heading with the anchor #{anchor}",
                        resolved.display()
                    ));
                }
            }
        }
    }
    broken
}

#[test]
fn every_relative_link_leads_to_a_file_and_heading() {
    let broken: Vec<String> = pages().iter().flat_map(|page| broken_links(page)).collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_guide_index_links_every_page() {
    let index = Path::new("docs/README.md");
    let text = std::fs::read_to_string(root().join(index)).unwrap();
    let linked: BTreeSet<PathBuf> = links(&text)
        .into_iter()
        .filter_map(|(_, target)| {
            let file = target.split('#').next().unwrap().to_string();
            normalize(&index.parent().unwrap().join(file))
        })
        .collect();
    let missing: Vec<String> = pages()
        .into_iter()
        .filter(|page| page.starts_with("docs") && page != index && !linked.contains(page))
        .map(|page| page.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "docs/README.md does not link: {}",
        missing.join(", ")
    );
}

#[test]
fn the_checks_catch_what_they_should() {
    // Code spans and fences hide link-like text.
    assert_eq!(
        links("a [b](c.md) `[d](e)`\n```\n[f](g)\n```\n![h](i.svg \"t\")\n"),
        vec![(1, "c.md".to_string()), (5, "i.svg".to_string())]
    );
    assert_eq!(
        slug("Exploring in the browser: `explore`"),
        "exploring-in-the-browser-explore"
    );
    assert_eq!(slug("Set-up: two commands"), "set-up-two-commands");
    assert_eq!(
        slug("The model, and the interpretations it makes"),
        "the-model-and-the-interpretations-it-makes"
    );
    let anchors = anchors("# A\n## A\n```\n# B\n```\n#C\n");
    assert_eq!(
        anchors,
        BTreeSet::from(["a".to_string(), "a-1".to_string()])
    );
    assert_eq!(
        normalize(Path::new("docs/../README.md")),
        Some(PathBuf::from("README.md"))
    );
    assert_eq!(normalize(Path::new("docs/../../x")), None);
}
