//! Which way the imports between `src/`'s top-level modules point, read from
//! the sources: the table in docs/architecture.md is what the code does, the
//! modules form no cycle, and the interview engine sees only the plain
//! pieces below it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules: each folder and file in `src/` but the crate
/// roots and the tests-only fuzz cases.
fn modules() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(src())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_owned();
            (p.is_dir() || p.extension().is_some_and(|x| x == "rs")).then_some(name)
        })
        .filter(|n| !matches!(n.as_str(), "lib" | "main" | "fuzz_tests"))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The `.rs` files of a module, test files and folders left out.
fn files(module: &str) -> Vec<PathBuf> {
    let file = src().join(format!("{module}.rs"));
    let mut out = Vec::new();
    if file.is_file() {
        out.push(file);
    }
    let mut stack = vec![src().join(module)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.map(|e| e.unwrap().path()) {
            let name = path.file_name().unwrap().to_str().unwrap();
            if path.is_dir() && name != "tests" {
                stack.push(path);
            } else if name.ends_with(".rs") && name != "tests.rs" {
                out.push(path);
            }
        }
    }
    out
}

/// The code of a file without comments and without its trailing
/// `#[cfg(test)] mod tests { … }` (the convention: unit tests come last).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).map_or("", |l| l.trim());
        if line.trim() == "#[cfg(test)]" && next.starts_with("mod ") && next.ends_with('{') {
            break;
        }
        if !line.trim_start().starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Module → the other top-level modules its code names as `crate::…`.
fn graph() -> Graph {
    let names: BTreeSet<String> = modules().into_iter().collect();
    let mut graph = Graph::new();
    for module in &names {
        let mut deps = BTreeSet::new();
        for file in files(module) {
            let code = code(&file);
            for (at, _) in code.match_indices("crate::") {
                if code[..at].ends_with('$') {
                    continue;
                }
                let rest = &code[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if names.contains(&name) && name != *module {
                    deps.insert(name);
                }
            }
        }
        graph.insert(module.clone(), deps);
    }
    graph
}

/// The table under "Which way dependencies point" in docs/architecture.md.
fn documented(modules: &BTreeSet<String>) -> Graph {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .unwrap();
    let section = doc
        .split("## Which way dependencies point")
        .nth(1)
        .expect("docs/architecture.md has the section")
        .split("\n## ")
        .next()
        .unwrap();
    let ticked = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .filter(|name| modules.contains(*name))
            .map(str::to_owned)
            .collect()
    };
    let mut table = Graph::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').collect();
        let module = ticked(cells[1]);
        assert_eq!(module.len(), 1, "one module per row: {row}");
        table.insert(module[0].clone(), ticked(cells[2]).into_iter().collect());
    }
    table
}

#[test]
fn the_architecture_doc_lists_every_module_s_imports_as_the_code_has_them() {
    let graph = graph();
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    let table = documented(&modules);
    for (module, deps) in &graph {
        let listed = table
            .get(module)
            .unwrap_or_else(|| panic!("docs/architecture.md has no row for `{module}`"));
        assert_eq!(
            listed, deps,
            "`{module}` imports {deps:?}; docs/architecture.md says {listed:?}"
        );
    }
    for module in table.keys() {
        assert!(graph.contains_key(module), "no module `{module}` in src/");
    }
}

#[test]
fn the_modules_form_no_cycle() {
    let graph = graph();
    // Depth-first search; a module met again while still on the path
    // closes a cycle.
    fn visit(graph: &Graph, module: &str, path: &mut Vec<String>, done: &mut BTreeSet<String>) {
        if done.contains(module) {
            return;
        }
        if let Some(at) = path.iter().position(|m| m == module) {
            panic!("import cycle: {} -> {module}", path[at..].join(" -> "));
        }
        path.push(module.to_owned());
        for dep in &graph[module] {
            visit(graph, dep, path, done);
        }
        path.pop();
        done.insert(module.to_owned());
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(&graph, module, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_interview_engine_imports_only_the_plain_pieces_below_it() {
    let graph = graph();
    let allowed: BTreeSet<String> = ["clock", "content", "outcome", "text"]
        .map(str::to_owned)
        .into();
    let extra: Vec<&String> = graph["engine"].difference(&allowed).collect();
    assert!(extra.is_empty(), "the engine imports {extra:?}");
}
