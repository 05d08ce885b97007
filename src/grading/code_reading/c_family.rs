//! Names in Java, C++ and C#: which nodes bind a parameter, a local or a
//! loop variable, and which identifiers are not reads. Their declarations
//! are typed (`int total = 0;`, `vector<int> seen(n);`, `var seen = new
//! HashSet<int>();`), unlike Python's and JavaScript's, so they get their
//! own reading.

use tree_sitter::Node;

use super::Lang;

use super::facts::{Bind, children};
use super::walk::{Frame, Walk};

/// The `function_declarator` of a C++ function definition (through any
/// `*`/`&` around it), or a lambda's parameter declarator: the node that
/// holds the parameters.
pub(super) fn cpp_declarator(function: Node<'_>) -> Option<Node<'_>> {
    let mut at = function.child_by_field_name("declarator")?;
    // Bounded: a declarator is a handful of levels deep in any real code.
    for _ in 0..16 {
        if matches!(
            at.kind(),
            "function_declarator" | "abstract_function_declarator"
        ) {
            return Some(at);
        }
        at = at
            .child_by_field_name("declarator")
            .or_else(|| at.named_child(0))?;
    }
    None
}

/// The name a C++ function is called by: `solve`, the `go` of
/// `Solution::go`, a constructor's class name. `None` for lambdas.
pub(super) fn cpp_function_name(function: Node<'_>) -> Option<Node<'_>> {
    if function.kind() != "function_definition" {
        return None;
    }
    let mut name = cpp_declarator(function)?.child_by_field_name("declarator")?;
    for _ in 0..16 {
        if name.kind() != "qualified_identifier" {
            return Some(name);
        }
        name = name.child_by_field_name("name")?;
    }
    None
}

impl Walk<'_> {
    /// The counterpart of `bindings_at` for Java, C++ and C#.
    pub(super) fn c_family_bindings_at(&mut self, node: Node<'_>, frame: Frame<'_>) {
        if self.lang == Lang::Csharp && self.csharp_bindings_at(node, frame) {
            return;
        }
        let unit = frame.unit;
        let field = |name: &str| node.child_by_field_name(name);
        match node.kind() {
            "assignment_expression" => {
                // `x = ...` may write a field or an outer name: never
                // "unused" on its own. `a[i] = ...` reads `a`.
                if let Some(left) = field("left").filter(|l| l.kind() == "identifier") {
                    self.bind(left, Bind::Write, unit);
                }
            }
            "update_expression" => {
                // C++ names the operand `argument`; Java does not name it.
                let operand = field("argument").or_else(|| node.named_child(0));
                if let Some(arg) = operand.filter(|a| a.kind() == "identifier") {
                    self.bind(arg, Bind::Write, unit);
                }
            }
            // Java: `int total = 0, seen;` (also fields, in the class's unit).
            "variable_declarator" => {
                if let Some(name) = field("name").filter(|n| !self.marked.contains(&n.id())) {
                    self.bind(name, declared(field("value").is_some()), unit);
                }
            }
            // C++: `int lo = 0, hi;`, `auto [key, count] = entry;`,
            // `auto& row = grid[r];`.
            "declaration" => {
                for (f, declarator) in children(node) {
                    if f == Some("declarator") {
                        self.cpp_declarator_binds(declarator, Bind::Local, unit);
                    }
                }
            }
            "for_statement" => {
                // Java's header is `init`, C++'s `initializer`.
                let init = field("init").or_else(|| field("initializer"));
                if let Some(init) = init {
                    self.loop_header_binds(init, unit);
                }
            }
            "enhanced_for_statement" => {
                if let Some(name) = field("name") {
                    self.bind(name, Bind::LoopVar, unit);
                }
            }
            "for_range_loop" => {
                if let Some(declarator) = field("declarator") {
                    self.bind_pattern(declarator, Bind::LoopVar, unit);
                }
            }
            "catch_clause" => {
                for (_, c) in children(node) {
                    match c.kind() {
                        // Java's, and C#'s `catch (Exception e)`.
                        "catch_formal_parameter" | "catch_declaration" => {
                            if let Some(name) = c.child_by_field_name("name") {
                                self.bind(name, Bind::ExceptVar, unit);
                            }
                        }
                        "parameter_list" => self.bind_pattern(c, Bind::ExceptVar, unit),
                        _ => {}
                    }
                }
            }
            // Lambdas that are not functions (Java's `x -> x * 2`) bind
            // their parameters in the function around them.
            "lambda_expression" => {
                if let Some(params) = field("parameters") {
                    self.bind_pattern(params, Bind::Param, unit);
                }
            }
            // `this.capacity`, `nums.length`, `list.add(x)`: member names,
            // not reads of a local of that name.
            "field_access" => {
                if let Some(member) = field("field") {
                    self.marked.insert(member.id());
                }
            }
            "method_invocation" => {
                if let Some(member) = field("name") {
                    self.marked.insert(member.id());
                }
            }
            "import_declaration" | "package_declaration" => self.ignore_all(node),
            _ => {}
        }
    }

    /// C#'s own node kinds; `false` for the rest, which are read as Java's
    /// are (assignments, `for` headers, lambdas, `catch`).
    fn csharp_bindings_at(&mut self, node: Node<'_>, frame: Frame<'_>) -> bool {
        let unit = frame.unit;
        let field = |name: &str| node.child_by_field_name(name);
        match node.kind() {
            // `int total = 0, seen;`, `var (lo, hi) = (0, n - 1);` (also
            // fields, in the class's unit). C# gives the value no field name:
            // the `=` tells a declaration that assigns.
            "variable_declarator" => {
                let with_value = children(node).iter().any(|(_, c)| c.kind() == "=");
                match field("name") {
                    Some(name) if !self.marked.contains(&name.id()) => {
                        self.bind(name, declared(with_value), unit)
                    }
                    Some(_) => {}
                    None => {
                        for (_, c) in children(node) {
                            if c.kind() == "tuple_pattern" && !self.marked.contains(&c.id()) {
                                self.bind_pattern(c, Bind::Unpacked, unit);
                            }
                        }
                    }
                }
            }
            // `out var node`, `out int count`: written by the call.
            "declaration_expression" => {
                if let Some(name) = field("name").filter(|n| !self.marked.contains(&n.id())) {
                    self.bind(name, Bind::Unpacked, unit);
                }
            }
            "prefix_unary_expression" | "postfix_unary_expression" => {
                let increments = children(node)
                    .iter()
                    .any(|(_, c)| matches!(c.kind(), "++" | "--"));
                let operand = node.named_child(0).filter(|a| a.kind() == "identifier");
                if let (true, Some(arg)) = (increments, operand) {
                    self.bind(arg, Bind::Write, unit);
                }
            }
            "foreach_statement" => match field("left") {
                Some(left) if left.kind() == "declaration_expression" => {
                    if let Some(name) = left.child_by_field_name("name") {
                        self.bind(name, Bind::LoopVar, unit);
                    }
                }
                Some(left) => self.bind_pattern(left, Bind::LoopVar, unit),
                None => {}
            },
            // LINQ's `from word in words`.
            "from_clause" => {
                if let Some(name) = field("name") {
                    self.bind(name, Bind::CompVar, unit);
                }
            }
            // `nums.Length`, `list.Add(x)`, `node?.Next`, `Sum(count: 3)`:
            // member and argument names, not reads of a local of that name.
            "member_access_expression" | "member_binding_expression" | "argument" => {
                if let Some(member) = field("name") {
                    self.marked.insert(member.id());
                }
            }
            // `using System.Linq;` names a namespace, never a local.
            "using_directive" => self.ignore_all(node),
            _ => return false,
        }
        true
    }

    /// Variables declared in a `for (...;...;...)` header.
    fn loop_header_binds(&mut self, init: Node<'_>, unit: usize) {
        for (f, c) in children(init) {
            match (f, c.kind()) {
                (_, "variable_declarator") => {
                    if let Some(name) = c.child_by_field_name("name") {
                        self.bind(name, Bind::LoopVar, unit);
                    }
                }
                (Some("declarator"), _) => self.cpp_declarator_binds(c, Bind::LoopVar, unit),
                _ => {}
            }
        }
    }

    fn cpp_declarator_binds(&mut self, declarator: Node<'_>, kind: Bind, unit: usize) {
        if self.marked.contains(&declarator.id()) {
            return;
        }
        match declarator.kind() {
            "init_declarator" => {
                if let Some(target) = declarator.child_by_field_name("declarator") {
                    if self.marked.contains(&target.id()) {
                        return;
                    }
                    // A reference (`auto& row = ...`) writes through to what
                    // it names: never "unused" on its own.
                    let kind = match (kind, target.kind()) {
                        (Bind::Local, "identifier") => Bind::Local,
                        (Bind::Local, _) => Bind::Unpacked,
                        (other, _) => other,
                    };
                    self.bind_pattern(target, kind, unit);
                }
            }
            // `vector<int> seen(n);` in a body reads as a function
            // declaration; nothing is bound, see `Walk::visit`.
            "function_declarator" => {}
            _ => {
                let kind = if kind == Bind::Local {
                    declared(false)
                } else {
                    kind
                };
                self.bind_pattern(declarator, kind, unit);
            }
        }
    }
}

/// How a declared name is bound: only one given a value in its declaration
/// can be "assigned but never read" (`int count;` alone assigns nothing).
fn declared(with_value: bool) -> Bind {
    if with_value {
        Bind::Local
    } else {
        Bind::Unpacked
    }
}
