//! The crate's modules form no circle: reading `src/`, a module depends on every module that a `crate::`,
//! `super::` or `self::` path in its code names (in `use` lines and inline), and on a child module it names by a
//! relative path (`use greedy::run`); comments and strings do not count, nor does declaring a child (`mod x;`).
//! A path counts for the deepest module it names, so a child that imports through its parent's re-exports
//! depends on the parent: import by the defining module's own path instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`heuristics::plain`; the crate root is the empty string) -> the modules it depends on.
type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn the_core_modules_form_no_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_tree(&src, &src, &mut files);
    assert!(files.len() > 10, "expected the crate's modules under {}", src.display());
    let graph = graph(&files);
    // the dependencies this test exists for are found at all
    assert!(graph["improve"].contains("bounds"), "improve's `use crate::bounds::...` was not read: {graph:?}");
    assert!(graph["heuristics"].contains("heuristics::greedy"), "a parent's `greedy::run` was not read");
    let circles = circles(&graph);
    assert!(circles.is_empty(), "module circles in rust/core/src: {}", circles.join("; "));
}

#[test]
fn a_circle_through_super_or_a_re_export_is_found() {
    let files = vec![
        ("".to_string(), "mod a;\npub mod b;\n".to_string()),
        ("a".to_string(), "mod x;\npub use x::Thing;\npub struct Method;\n".to_string()),
        ("a::x".to_string(), "use super::Method; // crate::b in a comment\npub struct Thing;\n".to_string()),
        ("b".to_string(), "fn f<'p>() { let s = \"crate::a::x\"; crate::a::x::Thing; }\n".to_string()),
        ("c".to_string(), "const S: &str = r#\"use crate::b;\"#; const C: char = '\"'; use crate::a::x;\n".to_string()),
    ];
    let graph = graph(&files);
    assert_eq!(graph["b"], BTreeSet::from(["a::x".to_string()]));
    assert_eq!(graph["a::x"], BTreeSet::from(["a".to_string()]));
    assert_eq!(graph["c"], BTreeSet::from(["a::x".to_string()]));
    assert_eq!(circles(&graph), vec!["a -> a::x -> a".to_string()]);
}

/// Every `.rs` file under `dir` as (module path, text).
fn read_tree(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src is readable").map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_tree(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).unwrap().with_extension("");
            let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            out.push((parts.join("::"), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn graph(files: &[(String, String)]) -> Graph {
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graph = Graph::new();
    for (module, text) in files {
        let here: Vec<String> = if module.is_empty() { vec![] } else { module.split("::").map(String::from).collect() };
        let paths = paths(&strip(text));
        // modules brought in by name (`use crate::heuristics::{self, Method}`, then `heuristics::plain::pack`)
        let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for path in &paths {
            if let Some((target, true)) = resolve(&modules, &here, &aliases, path) {
                let name = path.iter().rev().find(|s| *s != "self").cloned().unwrap_or_default();
                aliases.insert(name, target.split("::").map(String::from).collect());
            }
        }
        let mut edges = BTreeSet::new();
        for path in &paths {
            if let Some((target, _)) = resolve(&modules, &here, &aliases, path) {
                if &target != module {
                    edges.insert(target);
                }
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

/// The deepest module that `path`, written in module `here`, names, and whether the path names that module
/// itself (no item after it); None for a path outside the crate.
fn resolve(
    modules: &BTreeSet<String>,
    here: &[String],
    aliases: &BTreeMap<String, Vec<String>>,
    path: &[String],
) -> Option<(String, bool)> {
    let mut segments = path.iter().map(String::as_str).peekable();
    let mut base: Vec<String> = match *segments.peek()? {
        "crate" => {
            segments.next();
            vec![]
        }
        "self" => {
            segments.next();
            here.to_vec()
        }
        "super" => {
            let mut base = here.to_vec();
            while segments.peek() == Some(&"super") {
                segments.next();
                base.pop();
            }
            base
        }
        // a relative path: counts when it starts with one of this module's children, or a module imported by name
        first if modules.contains(&join(here, first)) => here.to_vec(),
        first => {
            segments.next();
            aliases.get(first)?.clone()
        }
    };
    let mut target = base.join("::");
    for segment in segments {
        if segment == "self" {
            continue;
        }
        base.push(segment.to_string());
        let candidate = base.join("::");
        if !modules.contains(&candidate) {
            return Some((target, false));
        }
        target = candidate;
    }
    Some((target, true))
}

fn join(base: &[String], name: &str) -> String {
    base.iter().map(String::as_str).chain([name]).collect::<Vec<_>>().join("::")
}

/// The code without comments, string literals and character literals (lifetimes stay).
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut k = 0;
    while k < chars.len() {
        let rest = &chars[k..];
        if rest.starts_with(&['/', '/']) {
            while k < chars.len() && chars[k] != '\n' {
                k += 1;
            }
        } else if rest.starts_with(&['/', '*']) {
            let mut depth = 0;
            while k < chars.len() {
                if chars[k..].starts_with(&['/', '*']) {
                    depth += 1;
                    k += 2;
                } else if chars[k..].starts_with(&['*', '/']) {
                    depth -= 1;
                    k += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    k += 1;
                }
            }
        } else if chars[k] == '"' || raw_string_at(&chars, k) {
            // (raw) string: skip to its closing quote and hashes
            let raw = chars[k] == 'r';
            let hashes = if raw { rest.iter().skip(1).take_while(|&&c| c == '#').count() } else { 0 };
            k += if raw { 2 + hashes } else { 1 };
            let closes = |k: usize| {
                chars[k] == '"' && chars.get(k + 1..k + 1 + hashes).is_some_and(|h| h.iter().all(|&c| c == '#'))
            };
            while k < chars.len() {
                if !raw && chars[k] == '\\' {
                    k += 2;
                } else if closes(k) {
                    k += 1 + hashes;
                    break;
                } else {
                    k += 1;
                }
            }
            out.push_str("\"\"");
        } else if chars[k] == '\'' && (rest.get(1) == Some(&'\\') || rest.get(2) == Some(&'\'')) {
            // a character literal, not a lifetime
            k += 1;
            while k < chars.len() && chars[k] != '\'' {
                k += if chars[k] == '\\' { 2 } else { 1 };
            }
            k += 1;
            out.push_str("' '");
        } else {
            out.push(chars[k]);
            k += 1;
        }
    }
    out
}

/// Whether a raw string (`r"..."`, `r#"..."#`, `br"..."`) starts at `chars[k]`, not a raw identifier (`r#type`).
fn raw_string_at(chars: &[char], k: usize) -> bool {
    let ident_at = |p: Option<usize>| p.and_then(|p| chars.get(p)).is_some_and(|&c| c.is_alphanumeric() || c == '_');
    let after_ident = ident_at(k.checked_sub(1));
    let byte_prefix = k > 0 && chars[k - 1] == 'b' && !ident_at(k.checked_sub(2));
    let hashes = chars[k + 1..].iter().take_while(|&&c| c == '#').count();
    chars[k] == 'r' && (!after_ident || byte_prefix) && chars.get(k + 1 + hashes) == Some(&'"')
}

/// Every path of two or more segments in `code`, with use-groups (`a::{b, c::d}`) expanded.
fn paths(code: &str) -> Vec<Vec<String>> {
    let tokens = tokens(code);
    let mut out = Vec::new();
    let mut k = 0;
    while k < tokens.len() {
        let starts = is_ident(&tokens[k])
            && tokens.get(k + 1).is_some_and(|t| t == "::")
            && (k == 0 || tokens[k - 1] != "::");
        if starts {
            let mut found = Vec::new();
            k = tree(&tokens, k, Vec::new(), &mut found);
            out.extend(found);
        } else {
            k += 1;
        }
    }
    out
}

/// Read the path (tree) starting at `tokens[k]` below `prefix`; returns the position after it.
fn tree(tokens: &[String], mut k: usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    loop {
        match tokens.get(k).map(String::as_str) {
            Some("{") => {
                k += 1;
                while k < tokens.len() && tokens[k] != "}" {
                    if tokens[k] == "," {
                        k += 1;
                    } else {
                        k = tree(tokens, k, prefix.clone(), out);
                    }
                }
                return k + 1;
            }
            Some(t) if is_ident(t) => {
                prefix.push(t.to_string());
                k += 1;
                if tokens.get(k).is_some_and(|t| t == "::") {
                    k += 1;
                    continue;
                }
                out.push(prefix);
                return k;
            }
            _ => {
                out.push(prefix);
                return k;
            }
        }
    }
}

fn is_ident(token: &str) -> bool {
    token.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Identifiers, `::` and single punctuation characters.
fn tokens(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if c.is_alphanumeric() || c == '_' {
            let start = k;
            while k < chars.len() && (chars[k].is_alphanumeric() || chars[k] == '_') {
                k += 1;
            }
            out.push(chars[start..k].iter().collect());
        } else if c == ':' && chars.get(k + 1) == Some(&':') {
            out.push("::".into());
            k += 2;
        } else {
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
            k += 1;
        }
    }
    out
}

/// Each circle once, as "a -> b -> a", from the strongly connected components of `graph`.
fn circles(graph: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for start in graph.keys() {
        if reported.contains(start) {
            continue;
        }
        // the shortest way back to `start`, by breadth-first search
        let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
        let mut frontier = vec![start.as_str()];
        let mut back = None;
        'search: while !frontier.is_empty() {
            let mut next = Vec::new();
            for node in frontier {
                for to in graph.get(node).into_iter().flatten() {
                    if to == start {
                        back = Some(node);
                        break 'search;
                    }
                    if !previous.contains_key(to.as_str()) {
                        previous.insert(to, node);
                        next.push(to.as_str());
                    }
                }
            }
            frontier = next;
        }
        if let Some(mut node) = back {
            let mut circle = vec![start.as_str()];
            while node != start {
                circle.push(node);
                node = previous[node];
            }
            circle.push(start);
            let last = circle.len() - 1;
            circle[1..last].reverse();
            reported.extend(circle.iter().map(|m| m.to_string()));
            out.push(circle.join(" -> "));
        }
    }
    out
}
