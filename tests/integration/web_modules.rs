//! Which way the imports between the browser app's modules point, read
//! from `web/app.js` and `web/js/`: they form no cycle. A cycle is how the
//! app's modules came to reach into one another (the socket into the views,
//! the views back into the socket); the store (`web/js/store.js`) is what
//! removed it, and this keeps it removed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn web() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web")
}

/// Every `.js` file of the app, named by its path under `web/`;
/// `web/vendor/` (third-party code, imported only from outside) left out.
fn files() -> Vec<String> {
    let mut out = vec!["app.js".to_owned()];
    let mut stack = vec![web().join("js")];
    while let Some(dir) = stack.pop() {
        for path in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "js") {
                out.push(name(&path));
            }
        }
    }
    out.sort();
    out
}

fn name(path: &Path) -> String {
    let rel = path.strip_prefix(web()).unwrap();
    rel.components()
        .map(|c| c.as_os_str().to_str().unwrap())
        .collect::<Vec<_>>()
        .join("/")
}

/// `spec` as imported from `file`, named like `files()` names them; `None`
/// for a bare specifier or a path outside `web/`.
fn resolve(file: &str, spec: &str) -> Option<String> {
    if !(spec.starts_with("./") || spec.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for c in Path::new(spec).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(s) => parts.push(s.to_str()?),
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// The module specifiers a file imports: `import … from "x"`,
/// `export … from "x"`, `import "x"` and the dynamic `import("x")`, in
/// code (lines that are comments are skipped).
fn specifiers(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("//") || t.starts_with('*') || t.starts_with("/*"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let word_at = |at: usize, word: &str| {
        code[at..].starts_with(word)
            && !code[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.')
    };
    let mut out = Vec::new();
    for (at, _) in code.char_indices() {
        let rest = if word_at(at, "from") {
            &code[at + "from".len()..]
        } else if word_at(at, "import") {
            let after = code[at + "import".len()..].trim_start();
            after.strip_prefix('(').unwrap_or(after)
        } else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        // A quote after "from" in prose ends a string, not a path: paths
        // have no spaces.
        if let Some(spec) = rest[1..].split(quote).next()
            && !spec.contains(char::is_whitespace)
        {
            out.push(spec.to_owned());
        }
    }
    out
}

/// Module → the app modules it imports.
fn graph() -> Graph {
    let files = files();
    let known: BTreeSet<&String> = files.iter().collect();
    let mut graph = Graph::new();
    for file in &files {
        let source = std::fs::read_to_string(web().join(file)).unwrap();
        let deps = specifiers(&source)
            .iter()
            .filter_map(|spec| resolve(file, spec))
            .filter(|dep| known.contains(dep))
            .collect();
        graph.insert(file.clone(), deps);
    }
    graph
}

/// The first import cycle a depth-first search meets, as the path that
/// closes it (`a.js -> b.js -> a.js`).
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        graph: &Graph,
        module: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if done.contains(module) {
            return None;
        }
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module.to_owned());
            return Some(cycle);
        }
        path.push(module.to_owned());
        for dep in &graph[module] {
            if let Some(cycle) = visit(graph, dep, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(graph, module, &mut Vec::new(), &mut done))
}

/// Every module on some cycle: the ones that reach themselves.
fn on_cycles(graph: &Graph) -> Vec<&String> {
    let reaches_itself = |start: &String| {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = graph[start].iter().collect();
        while let Some(module) = stack.pop() {
            if module == start {
                return true;
            }
            if seen.insert(module) {
                stack.extend(&graph[module]);
            }
        }
        false
    };
    graph.keys().filter(|m| reaches_itself(m)).collect()
}

#[test]
fn the_browser_app_s_modules_import_each_other_in_no_cycle() {
    let graph = graph();
    assert!(
        graph.len() > 20 && graph["app.js"].len() > 5,
        "the imports were read: {graph:?}"
    );
    if let Some(cycle) = cycle(&graph) {
        let all = on_cycles(&graph);
        panic!(
            "import cycle in web/: {}\n({} modules are on cycles: {all:?})",
            cycle.join(" -> "),
            all.len()
        );
    }
}

/// The store and everything it imports: what node loads in the reducer's
/// tests (`tests/web/`), and what must stay free of the page's I/O.
#[test]
fn the_store_and_reducer_touch_no_dom_timer_socket_or_storage() {
    let graph = graph();
    let mut reached = BTreeSet::new();
    let mut stack = vec!["js/store.js".to_owned()];
    while let Some(module) = stack.pop() {
        if reached.insert(module.clone()) {
            stack.extend(graph[&module].iter().cloned());
        }
    }
    assert!(reached.contains("js/reduce.js"), "{reached:?}");
    for module in &reached {
        let source = std::fs::read_to_string(web().join(module)).unwrap();
        for word in [
            "document",
            "window",
            "localStorage",
            "setTimeout",
            "setInterval",
            "WebSocket",
            "fetch(",
            "Date.now",
        ] {
            assert!(
                !source.contains(word),
                "{module} (imported by the store) uses {word}: the reducer stays pure"
            );
        }
    }
}

#[test]
fn the_import_reader_finds_static_dynamic_and_re_exports_and_skips_comments() {
    let source = r#"
// import { no } from "./commented.js";
import { a,
  b } from "./a.js";
import "./side.js";
export { c } from '../c.js';
const later = () => import("./later.js");
const text = "taken from";
import { thing } from "vendor-package";
"#;
    assert_eq!(
        specifiers(source),
        [
            "./a.js",
            "./side.js",
            "../c.js",
            "./later.js",
            "vendor-package"
        ]
    );
    assert_eq!(
        resolve("js/room.js", "./store.js").as_deref(),
        Some("js/store.js")
    );
    assert_eq!(
        resolve("app.js", "./js/dom.js").as_deref(),
        Some("js/dom.js")
    );
    assert_eq!(
        resolve("js/operator/main.js", "../dom.js").as_deref(),
        Some("js/dom.js")
    );
    assert_eq!(resolve("js/room.js", "vendor-package"), None);
    let looped: Graph = [("a.js", "b.js"), ("b.js", "c.js"), ("c.js", "a.js")]
        .into_iter()
        .map(|(m, d)| (m.to_owned(), BTreeSet::from([d.to_owned()])))
        .collect();
    assert_eq!(cycle(&looped).unwrap(), ["a.js", "b.js", "c.js", "a.js"]);
}
