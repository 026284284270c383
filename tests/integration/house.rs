//! The house rules, checked on the source tree: stages import only the stages before them
//! (the layers of ARCHITECTURE.md), no source file is over 800 lines and no function over
//! 150 lines, unit tests apart. `#[cfg(test)] mod tests` at the end of a file is not
//! counted; comments are not read as imports.

use std::path::{Path, PathBuf};

/// The layers, lowest first: a module may import its own layer and the ones below it.
const LAYERS: &[&[&str]] = &[
    &[
        "error", "model", "channel", "columns", "util", "why", "stats",
    ],
    &["config"],
    &["ingest"],
    &["normalize"],
    &["kpi"],
    &["evaluate"],
    &["report"],
    &["render"],
    &["app"],
    &["cli"],
    &["lib", "main"],
];

fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| panic!("module `{module}` is in no layer of tests/integration/house.rs"))
}

fn sources() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `src/…` path of a source file, and its lines before the unit tests.
fn code(p: &Path) -> (String, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = p.strip_prefix(root).unwrap().display().to_string();
    let text = std::fs::read_to_string(p).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let end = lines
        .windows(2)
        .position(|w| w[0] == "#[cfg(test)]" && w[1].starts_with("mod tests"))
        .unwrap_or(lines.len());
    (rel, lines[..end].to_vec())
}

/// The top-level module a file belongs to: `src/kpi/tally.rs` → `kpi`.
fn module_of(rel: &str) -> &str {
    let rest = rel.strip_prefix("src/").unwrap();
    let first = rest.split('/').next().unwrap();
    first.strip_suffix(".rs").unwrap_or(first)
}

#[test]
fn stages_import_only_the_stages_before_them() {
    let mut wrong = Vec::new();
    for p in sources() {
        let (rel, lines) = code(&p);
        let from = module_of(&rel);
        for (i, line) in lines.iter().enumerate() {
            let line = line.split("//").next().unwrap();
            for part in line.split("crate::").skip(1) {
                let to: String = part
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if LAYERS.iter().any(|l| l.contains(&to.as_str())) && layer(&to) > layer(from) {
                    wrong.push(format!("{rel}:{}: {from} imports {to}", i + 1));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

/// `(name, first line, length)` of each function in `lines`, by brace matching (rustfmt'd
/// code: strings and chars holding braces are skipped).
fn functions(lines: &[String]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        let t = ["pub ", "pub(crate) ", "pub(super) ", "const ", "unsafe "]
            .iter()
            .fold(t, |t, p| t.strip_prefix(p).unwrap_or(t));
        let Some(rest) = t.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let mut depth = 0i64;
        let mut opened = false;
        for (j, l) in lines.iter().enumerate().skip(i) {
            let mut in_str = false;
            let mut prev = ' ';
            for c in l.split("//").next().unwrap().chars() {
                match c {
                    '"' if prev != '\\' && prev != '\'' => in_str = !in_str,
                    '{' if !in_str && prev != '\'' => {
                        depth += 1;
                        opened = true
                    }
                    '}' if !in_str && prev != '\'' => depth -= 1,
                    _ => {}
                }
                prev = c;
            }
            if opened && depth == 0 || !opened && l.trim_end().ends_with(';') {
                out.push((name.clone(), i + 1, j - i + 1));
                break;
            }
        }
    }
    out
}

#[test]
fn no_file_over_800_lines_and_no_function_over_150() {
    let mut over = Vec::new();
    for p in sources() {
        let (rel, lines) = code(&p);
        if lines.len() > 800 {
            over.push(rel.clone());
        }
        for (name, _, len) in functions(&lines) {
            if len > 150 {
                over.push(format!("{rel}:{name}"));
            }
        }
    }
    assert!(over.is_empty(), "over the limits: {over:?}");
}
