//! Which names the candidate binds, which identifiers read a value, and
//! from those, which locals and imports are never used.

use std::collections::HashSet;

use tree_sitter::Node;

use super::Lang;
use super::facts::{Bind, Binding, children};
use super::walk::{Frame, Walk};

impl Walk<'_> {
    pub(super) fn bind(&mut self, node: Node<'_>, kind: Bind, unit: usize) {
        self.marked.insert(node.id());
        self.facts.bindings.push(Binding {
            name: self.text(node).to_string(),
            row: node.start_position().row,
            kind,
            unit,
        });
    }

    /// Binds every name in a target pattern; subscripts and attributes in
    /// it are reads (`seen[key] = ...` reads `seen`), so they are skipped.
    pub(super) fn bind_pattern(&mut self, target: Node<'_>, kind: Bind, unit: usize) {
        let skipped: &[&str] = match self.lang {
            Lang::Python => &["type", "value"],
            Lang::JavaScript => &["right", "key"],
            // Types, defaults and array sizes are reads or not names at all.
            Lang::Java | Lang::Cpp | Lang::Csharp => {
                &["type", "value", "default_value", "size", "dimensions"]
            }
        };
        let mut stack = vec![target];
        while let Some(node) = stack.pop() {
            match node.kind() {
                // C#'s `x => ...` names its one parameter `implicit_parameter`.
                "identifier" | "shorthand_property_identifier_pattern" | "implicit_parameter" => {
                    self.bind(node, kind, unit)
                }
                // C#: `int[] nums`, `int step = 1`; only the name binds (a
                // default value is not a field the skip list would see).
                "parameter" => {
                    if let Some(name) = node.child_by_field_name("name") {
                        self.bind(name, kind, unit);
                    }
                }
                "pattern_list"
                | "tuple_pattern"
                | "list_pattern"
                | "tuple"
                | "list"
                | "parenthesized_expression"
                | "list_splat_pattern"
                | "dictionary_splat_pattern"
                | "as_pattern_target"
                | "default_parameter"
                | "typed_parameter"
                | "typed_default_parameter"
                | "parameters"
                | "lambda_parameters"
                | "list_splat"
                | "formal_parameters"
                | "object_pattern"
                | "array_pattern"
                | "rest_pattern"
                | "assignment_pattern"
                | "object_assignment_pattern"
                | "pair_pattern"
                // Java parameters.
                | "formal_parameter"
                | "inferred_parameters"
                // C++ parameters and declarators around a name.
                | "parameter_list"
                | "parameter_declaration"
                | "optional_parameter_declaration"
                | "reference_declarator"
                | "pointer_declarator"
                | "array_declarator"
                | "structured_binding_declarator" => {
                    // Reversed so that names pop in source order.
                    for (field, c) in children(node).into_iter().rev() {
                        if !field.is_some_and(|f| skipped.contains(&f)) {
                            stack.push(c);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn ignore_all(&mut self, node: Node<'_>) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            self.marked.insert(n.id());
            stack.extend(children(n).into_iter().map(|(_, c)| c));
        }
    }

    pub(super) fn bindings_at(&mut self, node: Node<'_>, frame: Frame<'_>) {
        if self.lang.is_c_family() {
            return self.c_family_bindings_at(node, frame);
        }
        let unit = frame.unit;
        let field = |name: &str| node.child_by_field_name(name);
        match node.kind() {
            // Class attributes are not locals: they are read as `self.x`.
            "assignment" | "augmented_assignment" if frame.in_class => {
                if let Some(left) = field("left") {
                    self.ignore_all(left);
                }
            }
            "assignment"
            | "augmented_assignment"
            | "assignment_expression"
            | "augmented_assignment_expression" => {
                if let Some(left) = field("left") {
                    // Only Python's plain `=` makes a new local.
                    let kind = match (node.kind(), left.kind()) {
                        (_, k) if k != "identifier" => Bind::Unpacked,
                        ("assignment", _) => Bind::Local,
                        _ => Bind::Write,
                    };
                    self.bind_pattern(left, kind, unit);
                }
            }
            "update_expression" => {
                if let Some(arg) = field("argument").filter(|a| a.kind() == "identifier") {
                    self.bind(arg, Bind::Write, unit);
                }
            }
            "named_expression" => {
                if let Some(name) = field("name") {
                    self.bind(name, Bind::Local, unit);
                }
            }
            "variable_declarator" => {
                // Declarators in a `for (...)` header were bound as loop
                // variables when the loop was visited.
                if let Some(name) = field("name").filter(|n| !self.marked.contains(&n.id())) {
                    let kind = if name.kind() == "identifier" {
                        Bind::Local
                    } else {
                        Bind::Unpacked
                    };
                    self.bind_pattern(name, kind, unit);
                }
            }
            "for_statement" | "for_in_statement" => {
                if let Some(left) = field("left") {
                    self.bind_pattern(left, Bind::LoopVar, unit);
                }
                if let Some(init) = field("initializer") {
                    for (_, declarator) in children(init) {
                        if let Some(name) = declarator.child_by_field_name("name") {
                            self.bind_pattern(name, Bind::LoopVar, unit);
                        }
                    }
                }
            }
            "for_in_clause" => {
                if let Some(left) = field("left") {
                    self.bind_pattern(left, Bind::CompVar, unit);
                }
            }
            "lambda" | "arrow_function" => {
                for f in ["parameters", "parameter"] {
                    if let Some(params) = field(f) {
                        self.bind_pattern(params, Bind::Param, unit);
                    }
                }
            }
            "as_pattern" => {
                let in_except = frame.parent.is_some_and(|p| p.kind() == "except_clause");
                let kind = if in_except {
                    Bind::ExceptVar
                } else {
                    Bind::Unpacked
                };
                if let Some(alias) = field("alias") {
                    self.bind_pattern(alias, kind, unit);
                }
            }
            "catch_clause" => {
                if let Some(param) = field("parameter") {
                    self.bind_pattern(param, Bind::ExceptVar, unit);
                }
            }
            "global_statement" | "nonlocal_statement" => {
                for (_, c) in children(node) {
                    if c.kind() == "identifier" {
                        self.marked.insert(c.id());
                        self.globals.insert((unit, self.text(c).to_string()));
                    }
                }
            }
            "attribute" => {
                if let Some(attr) = field("attribute") {
                    self.marked.insert(attr.id());
                }
            }
            "keyword_argument" => {
                if let Some(name) = field("name") {
                    self.marked.insert(name.id());
                }
            }
            "import_statement" | "import_from_statement" | "import_clause" => {
                self.imports_at(node, unit)
            }
            _ => {}
        }
    }

    fn imports_at(&mut self, node: Node<'_>, unit: usize) {
        for (field, c) in children(node) {
            match (field, c.kind()) {
                (Some("module_name"), _) => self.ignore_all(c),
                // `import a.b` binds `a`; `from m import a` binds `a`.
                (Some("name"), "dotted_name") => {
                    let parts = children(c);
                    let pick = if node.kind() == "import_statement" {
                        parts.first()
                    } else {
                        parts.last()
                    };
                    let bound = pick.map(|(_, n)| *n);
                    self.ignore_all(c);
                    if let Some(n) = bound {
                        self.marked.remove(&n.id());
                        self.bind(n, Bind::Import, unit);
                    }
                }
                (Some("name"), "aliased_import") => {
                    self.ignore_all(c);
                    if let Some(alias) = c.child_by_field_name("alias") {
                        self.bind(alias, Bind::Import, unit);
                    }
                }
                (_, "identifier") if node.kind() == "import_clause" => {
                    self.bind(c, Bind::Import, unit)
                }
                (_, "namespace_import") => {
                    for (_, n) in children(c) {
                        if n.kind() == "identifier" {
                            self.bind(n, Bind::Import, unit);
                        }
                    }
                }
                (_, "named_imports") => {
                    for (_, spec) in children(c) {
                        if spec.kind() != "import_specifier" {
                            continue;
                        }
                        let bound = spec
                            .child_by_field_name("alias")
                            .or_else(|| spec.child_by_field_name("name"));
                        self.ignore_all(spec);
                        if let Some(n) = bound {
                            self.bind(n, Bind::Import, unit);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn find_unused(&mut self) {
        let params: HashSet<(usize, &str)> = self
            .facts
            .bindings
            .iter()
            .filter(|b| b.kind == Bind::Param)
            .map(|b| (b.unit, b.name.as_str()))
            .collect();
        let mut reported: HashSet<(usize, &str)> = HashSet::new();
        let mut unused = Vec::new();
        for b in &self.facts.bindings {
            let candidate = match b.kind {
                Bind::Import => true,
                Bind::Local => self.facts.units[b.unit].is_function,
                _ => false,
            };
            let key = (b.unit, b.name.as_str());
            // A parameter re-assigned is the caller's name, not a new local.
            if !candidate
                || b.name.starts_with('_')
                || reported.contains(&key)
                || params.contains(&key)
                || self.globals.contains(&(b.unit, b.name.clone()))
            {
                continue;
            }
            let unit = &self.facts.units[b.unit];
            let (from, to) = if b.kind == Bind::Import {
                (0, usize::MAX)
            } else {
                (unit.start_byte, unit.end_byte)
            };
            let read = self
                .reads
                .get(&b.name)
                .is_some_and(|offsets| offsets.iter().any(|at| (from..to).contains(at)));
            if !read {
                reported.insert(key);
                unused.push((b.name.clone(), b.row, b.kind == Bind::Import));
            }
        }
        self.facts.unused = unused;
    }
}
