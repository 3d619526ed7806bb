//! The crate's structure stays clean (DESIGN.md section 2):
//!
//! - no import circle between files of `src/`;
//! - layers import one way: `scoring <- align <- {seq, fasta, report, staged} <- wildtype`;
//! - no function in `src/align` or `src/wildtype` longer than [`MAX_FN_LINES`] lines.
//!
//! The checker works on a map of file path (`src/...`) to source text: three tests run it on
//! the crate's own `src/`, the others on small synthetic crates.
//!
//! What counts as an import of file A by file B: a `use` in B (groups, renames, globs,
//! `pub use` re-exports, `use` inside function bodies) or a path of two segments or more in
//! B's code (expressions, types, patterns, trait impls, and the arguments of macros whose
//! arguments parse as comma-separated expressions; of other macro bodies, `macro_rules!`
//! definitions included, only `crate::` paths) that names an item of the crate, where A is
//! the file that defines the longest module prefix of that item's path. Code in
//! `#[cfg(test)]` modules and `#[test]` functions counts like any other code (such edges are
//! marked `[test]`). A parent's `mod child;` is not an import. Paths are resolved through
//! `crate::`, `self::`, `super::`, child modules, and the names a module brings in with `use`
//! (including globs of crate modules); names that resolve to no crate module (std, external
//! crates, locals, generic parameters) are not imports.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::Path;

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Meta, Token, UseTree};

/// The longest function allowed in `src/align` and `src/wildtype`, in lines from the line of
/// the `fn` signature to the closing brace, inclusive.
const MAX_FN_LINES: usize = 150;

/// Directories (under `src/`) whose functions must stay within [`MAX_FN_LINES`].
const SHORT_FN_MODULES: &[&str] = &["align", "wildtype"];

/// The layers of DESIGN.md section 2, lowest first; a file may import from its own layer or
/// lower ones only. Top-level modules not listed (and `lib.rs`, `error.rs`) have no layer.
const LAYERS: &[(&str, u8)] = &[
    ("scoring", 0),
    ("align", 1),
    ("seq", 2),
    ("fasta", 2),
    ("report", 2),
    ("staged", 2),
    ("wildtype", 3),
];

/// File path relative to the crate root (`src/align/mod.rs`) -> source text.
type Sources = BTreeMap<String, String>;

/// A module or item path from the crate root, without `crate` (`["align", "kernel"]`).
type ModPath = Vec<String>;

// ---------------------------------------------------------------------------------------------
// Module tree

/// One `use` leaf: `use crate::a::{b, c::D as E}` gives two.
#[derive(Debug)]
struct UseEntry {
    /// The path as written, from its first segment (`crate`, `self`, `super` or a name); a
    /// path with a leading `::` starts with `::`.
    segments: Vec<String>,
    /// The name it brings into scope (`None` for globs and `as _`).
    binds: Option<String>,
    glob: bool,
    line: usize,
    test: bool,
}

#[derive(Debug)]
struct Module {
    file: String,
    children: BTreeSet<String>,
    uses: Vec<UseEntry>,
}

/// The parsed crate: every module (inline ones included) and the file that holds it.
struct Crate {
    modules: BTreeMap<ModPath, Module>,
    /// Each file's syntax tree, its own module and whether it is test code as a whole.
    files: BTreeMap<String, (syn::File, ModPath, bool)>,
}

/// An import of one file by another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    line: usize,
    /// `use crate::a::B` or the path as written in code.
    path: String,
    /// In `#[cfg(test)]` or `#[test]` code.
    test: bool,
}

impl Edge {
    fn site(&self) -> String {
        let test = if self.test { "  [test]" } else { "" };
        format!("{}:{}  {}{}", self.from, self.line, self.path, test)
    }
}

fn line(span: Span) -> usize {
    span.start().line
}

fn name(ident: &syn::Ident) -> String {
    ident.unraw().to_string()
}

/// `#[cfg(test)]`, `#[cfg(all(test, ...))]`, or an `any(...)` whose every branch implies test.
fn is_cfg_test(attrs: &[Attribute]) -> bool {
    fn implies_test(meta: &Meta) -> bool {
        match meta {
            Meta::Path(path) => path.is_ident("test"),
            Meta::List(list) if list.path.is_ident("all") || list.path.is_ident("any") => {
                let Ok(items) =
                    list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                else {
                    return false;
                };
                if list.path.is_ident("all") {
                    items.iter().any(implies_test)
                } else {
                    !items.is_empty() && items.iter().all(implies_test)
                }
            }
            _ => false,
        }
    }
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg") && attr.parse_args::<Meta>().is_ok_and(|m| implies_test(&m))
    })
}

/// `#[test]` (any path ending in `test`, e.g. `#[tokio::test]`) or `#[cfg(test)]`.
fn is_test(attrs: &[Attribute]) -> bool {
    is_cfg_test(attrs)
        || attrs.iter().any(|attr| {
            attr.path()
                .segments
                .last()
                .is_some_and(|s| s.ident == "test")
        })
}

fn parent_dir(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Joins `rel` to `dir`, folding `.` and `..`.
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// `#[path = "..."]` on a module declaration.
fn path_attr(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Where a module being walked stands.
struct Frame {
    path: ModPath,
    /// Directory of its child modules' files.
    dir: String,
    /// Inside an inline `mod x { ... }` of the file.
    inline: bool,
    test: bool,
}

/// Walks one file: registers inline modules, queues `mod x;` files, records `use` leaves.
struct ModuleCollector<'a> {
    krate: &'a mut Crate,
    sources: &'a Sources,
    file: String,
    stack: Vec<Frame>,
    /// Files still to load: (file, module path, in test code).
    queue: &'a mut Vec<(String, ModPath, bool)>,
    errors: &'a mut Vec<String>,
}

impl ModuleCollector<'_> {
    /// Runs `f` with the top frame marked as test code if `attrs` say so.
    fn with_test(&mut self, attrs: &[Attribute], f: impl FnOnce(&mut Self)) {
        let top = self.stack.last_mut().expect("frame");
        let was = top.test;
        top.test = was || is_test(attrs);
        f(self);
        self.stack.last_mut().expect("frame").test = was;
    }

    fn top(&self) -> &Frame {
        self.stack
            .last()
            .expect("the file's own module is always on the stack")
    }

    fn child_file(&mut self, module: &syn::ItemMod) -> Option<String> {
        let top = self.top();
        let ident = name(&module.ident);
        if let Some(rel) = path_attr(&module.attrs) {
            // Outside inline modules relative to the declaring file's directory; inside them
            // relative to the directory their children would live in.
            let base = if top.inline {
                top.dir.clone()
            } else {
                parent_dir(&self.file).to_string()
            };
            return Some(join(&base, &rel));
        }
        let candidates = [
            format!("{}/{ident}.rs", top.dir),
            format!("{}/{ident}/mod.rs", top.dir),
        ];
        let found = candidates.iter().find(|c| self.sources.contains_key(*c));
        if found.is_none() {
            self.errors.push(format!(
                "{}:{}: module `{ident}` has neither {} nor {}",
                self.file,
                line(module.ident.span()),
                candidates[0],
                candidates[1]
            ));
        }
        found.cloned()
    }
}

impl<'ast> Visit<'ast> for ModuleCollector<'_> {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        let ident = name(&module.ident);
        let top = self.top();
        let mut path = top.path.clone();
        path.push(ident.clone());
        let test = top.test || is_cfg_test(&module.attrs);
        let dir = format!("{}/{ident}", top.dir);
        let parent = top.path.clone();
        if let Some(m) = self.krate.modules.get_mut(&parent) {
            m.children.insert(ident);
        }
        if module.content.is_some() {
            self.krate.modules.insert(
                path.clone(),
                Module {
                    file: self.file.clone(),
                    children: BTreeSet::new(),
                    uses: Vec::new(),
                },
            );
            self.stack.push(Frame {
                path,
                dir,
                inline: true,
                test,
            });
            visit::visit_item_mod(self, module);
            self.stack.pop();
        } else if let Some(file) = self.child_file(module) {
            self.queue.push((file, path, test));
        }
    }

    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        self.with_test(&function.attrs, |v| visit::visit_item_fn(v, function));
    }

    fn visit_impl_item_fn(&mut self, function: &'ast syn::ImplItemFn) {
        self.with_test(&function.attrs, |v| visit::visit_impl_item_fn(v, function));
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        self.with_test(&item.attrs, |v| visit::visit_item_impl(v, item));
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let test = self.top().test || is_test(&item.attrs);
        let mut prefix = Vec::new();
        if item.leading_colon.is_some() {
            prefix.push("::".to_string());
        }
        let mut leaves = Vec::new();
        flatten_use(&item.tree, &mut prefix, &mut leaves);
        let path = self.top().path.clone();
        let module = self.krate.modules.get_mut(&path).expect("registered");
        for (segments, binds, glob, line) in leaves {
            module.uses.push(UseEntry {
                segments,
                binds,
                glob,
                line,
                test,
            });
        }
    }
}

type UseLeaf = (Vec<String>, Option<String>, bool, usize);

fn flatten_use(tree: &UseTree, prefix: &mut Vec<String>, out: &mut Vec<UseLeaf>) {
    match tree {
        UseTree::Path(p) => {
            prefix.push(name(&p.ident));
            flatten_use(&p.tree, prefix, out);
            prefix.pop();
        }
        UseTree::Name(n) => {
            let ident = name(&n.ident);
            if ident == "self" {
                out.push((
                    prefix.clone(),
                    prefix.last().cloned(),
                    false,
                    line(n.ident.span()),
                ));
            } else {
                let mut segments = prefix.clone();
                segments.push(ident.clone());
                out.push((segments, Some(ident), false, line(n.ident.span())));
            }
        }
        UseTree::Rename(r) => {
            let ident = name(&r.ident);
            let mut segments = prefix.clone();
            if ident != "self" {
                segments.push(ident);
            }
            let rename = name(&r.rename);
            let binds = (rename != "_").then_some(rename);
            out.push((segments, binds, false, line(r.ident.span())));
        }
        UseTree::Glob(g) => out.push((prefix.clone(), None, true, line(g.star_token.span))),
        UseTree::Group(g) => {
            for item in &g.items {
                flatten_use(item, prefix, out);
            }
        }
    }
}

/// Parses every file reachable from `src/lib.rs` through `mod` declarations.
fn load(sources: &Sources) -> Result<Crate, String> {
    let mut krate = Crate {
        modules: BTreeMap::new(),
        files: BTreeMap::new(),
    };
    let mut queue = vec![("src/lib.rs".to_string(), ModPath::new(), false)];
    let mut errors = Vec::new();
    while let Some((file, path, test)) = queue.pop() {
        if krate.files.contains_key(&file) {
            continue;
        }
        let Some(text) = sources.get(&file) else {
            errors.push(format!(
                "{file}: declared as module `{}` but missing",
                path.join("::")
            ));
            continue;
        };
        let ast = match syn::parse_file(text) {
            Ok(ast) => ast,
            Err(e) => {
                errors.push(format!("{file}:{}: {e}", line(e.span())));
                continue;
            }
        };
        // Children of lib.rs and mod.rs files live beside them; those of x.rs in x/.
        let dir = if file == "src/lib.rs" || file.ends_with("/mod.rs") {
            parent_dir(&file).to_string()
        } else {
            file.trim_end_matches(".rs").to_string()
        };
        krate.modules.insert(
            path.clone(),
            Module {
                file: file.clone(),
                children: BTreeSet::new(),
                uses: Vec::new(),
            },
        );
        let mut collector = ModuleCollector {
            krate: &mut krate,
            sources,
            file: file.clone(),
            stack: vec![Frame {
                path,
                dir,
                inline: false,
                test,
            }],
            queue: &mut queue,
            errors: &mut errors,
        };
        collector.visit_file(&ast);
        let own = collector.stack.pop().expect("the file's own frame").path;
        krate.files.insert(file, (ast, own, test));
    }
    if errors.is_empty() {
        Ok(krate)
    } else {
        Err(errors.join("\n"))
    }
}

// ---------------------------------------------------------------------------------------------
// Resolution

/// How deep `use` chains and globs are followed before giving up (guards against loops).
const MAX_DEPTH: usize = 12;

impl Crate {
    /// The crate item a path written in module `module` names, from the crate root; `None`
    /// for anything outside the crate (std, external crates) or not a crate path.
    fn resolve(&self, module: &ModPath, segments: &[String], depth: usize) -> Option<ModPath> {
        let (first, rest) = segments.split_first()?;
        let mut base = match first.as_str() {
            "::" | "Self" => return None,
            "crate" => ModPath::new(),
            "self" => module.clone(),
            "super" => {
                let mut base = module.clone();
                base.pop()?;
                let mut rest = rest;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                return Some(base);
            }
            ident => self.lookup(module, ident, depth)?,
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// What a bare name means in `module`: a child module or something brought in by `use`.
    fn lookup(&self, module: &ModPath, ident: &str, depth: usize) -> Option<ModPath> {
        if depth > MAX_DEPTH {
            return None;
        }
        let m = self.modules.get(module)?;
        if m.children.contains(ident) {
            let mut path = module.clone();
            path.push(ident.to_string());
            return Some(path);
        }
        let named = m.uses.iter().filter(|u| u.binds.as_deref() == Some(ident));
        if let Some(path) = named
            .filter_map(|u| self.resolve(module, &u.segments, depth + 1))
            .next()
        {
            return Some(path);
        }
        m.uses
            .iter()
            .filter(|u| u.glob)
            .filter_map(|u| self.resolve(module, &u.segments, depth + 1))
            .filter(|g| g != module && self.modules.contains_key(g))
            .find_map(|g| self.lookup(&g, ident, depth + 1))
    }

    /// The file of the longest module prefix of `path`.
    fn file_of(&self, path: &ModPath) -> &str {
        (0..=path.len())
            .rev()
            .find_map(|n| self.modules.get(&path[..n]))
            .map_or("src/lib.rs", |m| m.file.as_str())
    }
}

/// Finds crate paths in a file's code (not in `use` items, which are taken from the tree).
struct PathCollector<'a> {
    krate: &'a Crate,
    file: &'a str,
    stack: Vec<(ModPath, bool)>,
    edges: Vec<Edge>,
}

impl PathCollector<'_> {
    fn with_test(&mut self, attrs: &[Attribute], f: impl FnOnce(&mut Self)) {
        let top = self.stack.last_mut().expect("frame");
        let was = top.1;
        top.1 = was || is_test(attrs);
        f(self);
        self.stack.last_mut().expect("frame").1 = was;
    }
}

impl<'ast> Visit<'ast> for PathCollector<'_> {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if module.content.is_none() {
            return;
        }
        let (mut path, test) = self.stack.last().cloned().expect("frame");
        path.push(name(&module.ident));
        self.stack.push((path, test || is_cfg_test(&module.attrs)));
        visit::visit_item_mod(self, module);
        self.stack.pop();
    }

    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        self.with_test(&function.attrs, |v| visit::visit_item_fn(v, function));
    }

    fn visit_impl_item_fn(&mut self, function: &'ast syn::ImplItemFn) {
        self.with_test(&function.attrs, |v| visit::visit_impl_item_fn(v, function));
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        self.with_test(&item.attrs, |v| visit::visit_item_impl(v, item));
    }

    fn visit_item_use(&mut self, _: &'ast syn::ItemUse) {}

    // `pub(crate)`, `pub(super)`, `pub(in crate::x)` say who may see an item, not what it uses.
    fn visit_vis_restricted(&mut self, _: &'ast syn::VisRestricted) {}

    // Attributes (`#[derive]`, doc links) are not imports.
    fn visit_attribute(&mut self, _: &'ast Attribute) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        visit::visit_macro(self, mac);
        // Arguments of `vec![..]`, `assert_eq!(..)`, `format!(..)` and the like.
        if let Ok(args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            for arg in &args {
                self.visit_expr(arg);
            }
        } else {
            // Any other body (`macro_rules!` definitions included): only `crate::` paths,
            // which mean the same wherever the macro expands.
            let mut paths = Vec::new();
            crate_paths(mac.tokens.clone(), &mut paths);
            for (segments, at) in paths {
                self.edge(&segments, at, " (in a macro)");
            }
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() && path.segments.len() >= 2 {
            let segments: Vec<String> = path.segments.iter().map(|s| name(&s.ident)).collect();
            self.edge(&segments, line(path.segments[0].ident.span()), "");
        }
        visit::visit_path(self, path);
    }
}

impl PathCollector<'_> {
    /// Records an edge if `segments`, written at `at` in the current module, name an item of
    /// another file.
    fn edge(&mut self, segments: &[String], at: usize, note: &str) {
        let (module, test) = self.stack.last().expect("frame");
        if let Some(target) = self.krate.resolve(module, segments, 0) {
            let to = self.krate.file_of(&target);
            if to != self.file {
                self.edges.push(Edge {
                    from: self.file.to_string(),
                    to: to.to_string(),
                    line: at,
                    path: format!("{}{note}", segments.join("::")),
                    test: *test,
                });
            }
        }
    }
}

/// Every `crate::a::b` run of tokens (`$crate::` included) in `tokens`, with its line.
fn crate_paths(tokens: proc_macro2::TokenStream, out: &mut Vec<(Vec<String>, usize)>) {
    use proc_macro2::TokenTree;
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let is_colon =
        |t: Option<&TokenTree>| matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == ':');
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(group) => crate_paths(group.stream(), out),
            TokenTree::Ident(ident) if ident == "crate" => {
                let mut segments = vec!["crate".to_string()];
                while is_colon(tokens.get(i + 1)) && is_colon(tokens.get(i + 2)) {
                    let Some(TokenTree::Ident(next)) = tokens.get(i + 3) else {
                        break;
                    };
                    segments.push(name(next));
                    i += 3;
                }
                if segments.len() >= 2 {
                    out.push((segments, line(ident.span())));
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Every import of one file of the crate by another.
fn import_edges(sources: &Sources) -> Result<Vec<Edge>, String> {
    let krate = load(sources)?;
    let mut edges = Vec::new();
    for (path, module) in &krate.modules {
        for entry in &module.uses {
            let Some(target) = krate.resolve(path, &entry.segments, 0) else {
                continue;
            };
            let to = krate.file_of(&target);
            if to != module.file {
                let glob = if entry.glob { "::*" } else { "" };
                edges.push(Edge {
                    from: module.file.clone(),
                    to: to.to_string(),
                    line: entry.line,
                    path: format!("use {}{glob}", entry.segments.join("::")),
                    test: entry.test,
                });
            }
        }
    }
    for (file, (ast, own, test)) in &krate.files {
        let mut collector = PathCollector {
            krate: &krate,
            file,
            stack: vec![(own.clone(), *test)],
            edges: Vec::new(),
        };
        collector.visit_file(ast);
        edges.extend(collector.edges);
    }
    edges.sort();
    edges.dedup();
    Ok(edges)
}

// ---------------------------------------------------------------------------------------------
// Circles

/// Strongly connected components (Tarjan) of more than one file, each sorted, in file order.
fn circles(edges: &[Edge]) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        graph: &'a BTreeMap<&'a str, BTreeSet<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        components: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn connect(&mut self, node: &'a str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            for &next in self.graph.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.connect(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                loop {
                    let member = self.stack.pop().expect("node is on the stack");
                    self.on_stack.remove(member);
                    component.push(member.to_string());
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.components.push(component);
                }
            }
        }
    }

    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for edge in edges.iter().filter(|e| e.from != e.to) {
        graph.entry(&edge.from).or_default().insert(&edge.to);
        graph.entry(&edge.to).or_default();
    }
    let mut tarjan = Tarjan {
        graph: &graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for &node in graph.keys() {
        if !tarjan.index.contains_key(node) {
            tarjan.connect(node);
        }
    }
    let mut components = tarjan.components;
    components.sort();
    components
}

/// A shortest cycle through the first file of `component`, as a list of files ending where
/// it started.
fn shortest_cycle(component: &[String], edges: &[Edge]) -> Vec<String> {
    let members: BTreeSet<&str> = component.iter().map(String::as_str).collect();
    let start = component[0].as_str();
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for edge in edges
            .iter()
            .filter(|e| e.from == node && members.contains(e.to.as_str()))
        {
            let next = edge.to.as_str();
            if next == start {
                let mut cycle = vec![start.to_string()];
                let mut at = node;
                while at != start {
                    cycle.push(at.to_string());
                    at = came_from[at];
                }
                cycle.push(start.to_string());
                cycle.reverse();
                return cycle;
            }
            if !came_from.contains_key(next) && next != start {
                came_from.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    unreachable!("a strongly connected component has a cycle through each member")
}

/// `Err` listing every import circle between files, with the import sites that make it.
fn check_circles(sources: &Sources) -> Result<(), String> {
    let edges = import_edges(sources)?;
    let components = circles(&edges);
    if components.is_empty() {
        return Ok(());
    }
    let mut out = format!(
        "{} import circle(s) between files of src/:\n",
        components.len()
    );
    for (n, component) in components.iter().enumerate() {
        let members: BTreeSet<&str> = component.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "\ncircle {} ({} files): {}",
            n + 1,
            component.len(),
            component.join(", ")
        );
        let _ = writeln!(
            out,
            "  shortest cycle: {}",
            shortest_cycle(component, &edges).join(" -> ")
        );
        let _ = writeln!(out, "  imports inside the circle:");
        let mut last = None;
        for edge in edges
            .iter()
            .filter(|e| members.contains(e.from.as_str()) && members.contains(e.to.as_str()))
        {
            if last != Some((&edge.from, &edge.to)) {
                let _ = writeln!(out, "    {} -> {}", edge.from, edge.to);
                last = Some((&edge.from, &edge.to));
            }
            let _ = writeln!(out, "      {}", edge.site());
        }
    }
    Err(out)
}

// ---------------------------------------------------------------------------------------------
// Layers

/// The layer of a file by its top-level module (`src/align/...`, `src/staged.rs`).
fn layer_of(file: &str) -> Option<(&'static str, u8)> {
    let rest = file.strip_prefix("src/")?;
    let top = rest.split('/').next()?.trim_end_matches(".rs");
    LAYERS.iter().copied().find(|(name, _)| *name == top)
}

/// `Err` listing every import of a higher layer by a lower one.
fn check_layers(sources: &Sources) -> Result<(), String> {
    let edges = import_edges(sources)?;
    let mut out = String::new();
    for edge in &edges {
        let (Some((from, low)), Some((to, high))) = (layer_of(&edge.from), layer_of(&edge.to))
        else {
            continue;
        };
        if low < high {
            let _ = writeln!(out, "  {}  ({from} imports {to})", edge.site());
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "imports against the layers (scoring <- align <- {{seq, fasta, report, staged}} \
             <- wildtype):\n{out}"
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Function length

#[derive(Debug, PartialEq, Eq)]
struct LongFn {
    file: String,
    name: String,
    line: usize,
    lines: usize,
}

/// Measures every function outside test code.
struct FnMeasure<'a> {
    file: &'a str,
    owner: Vec<String>,
    max: usize,
    long: Vec<LongFn>,
}

impl FnMeasure<'_> {
    fn measure(&mut self, sig: &syn::Signature, block: &syn::Block) {
        let first = [
            sig.constness.map(|t| t.span),
            sig.asyncness.map(|t| t.span),
            sig.unsafety.map(|t| t.span),
            sig.abi.as_ref().map(|a| a.extern_token.span),
            Some(sig.fn_token.span),
        ]
        .into_iter()
        .flatten()
        .map(line)
        .min()
        .expect("fn token");
        let last = block.brace_token.span.close().end().line;
        let lines = last + 1 - first;
        if lines > self.max {
            let mut name = self.owner.clone();
            name.push(sig.ident.to_string());
            self.long.push(LongFn {
                file: self.file.to_string(),
                name: name.join("::"),
                line: first,
                lines,
            });
        }
    }
}

impl<'ast> Visit<'ast> for FnMeasure<'_> {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if !is_cfg_test(&module.attrs) {
            visit::visit_item_mod(self, module);
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if is_cfg_test(&item.attrs) {
            return;
        }
        let owner = match &*item.self_ty {
            syn::Type::Path(p) => p
                .path
                .segments
                .last()
                .map_or_else(|| "impl".to_string(), |s| s.ident.to_string()),
            _ => "impl".to_string(),
        };
        self.owner.push(owner);
        visit::visit_item_impl(self, item);
        self.owner.pop();
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.owner.push(item.ident.to_string());
        visit::visit_item_trait(self, item);
        self.owner.pop();
    }

    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        if is_test(&function.attrs) {
            return;
        }
        self.measure(&function.sig, &function.block);
        // Nested functions are measured on their own.
        let owner = std::mem::take(&mut self.owner);
        self.owner.push(function.sig.ident.to_string());
        visit::visit_item_fn(self, function);
        self.owner = owner;
    }

    fn visit_impl_item_fn(&mut self, function: &'ast syn::ImplItemFn) {
        if is_test(&function.attrs) {
            return;
        }
        self.measure(&function.sig, &function.block);
        self.owner.push(function.sig.ident.to_string());
        visit::visit_impl_item_fn(self, function);
        self.owner.pop();
    }

    fn visit_trait_item_fn(&mut self, function: &'ast syn::TraitItemFn) {
        if is_test(&function.attrs) {
            return;
        }
        if let Some(block) = &function.default {
            self.measure(&function.sig, block);
        }
        self.owner.push(function.sig.ident.to_string());
        visit::visit_trait_item_fn(self, function);
        self.owner.pop();
    }
}

/// Functions longer than `max` lines in files of the given top-level modules of `src/`.
fn long_functions(sources: &Sources, modules: &[&str], max: usize) -> Result<Vec<LongFn>, String> {
    let mut long = Vec::new();
    for (file, text) in sources {
        let covered = modules
            .iter()
            .any(|m| file.starts_with(&format!("src/{m}/")) || *file == format!("src/{m}.rs"));
        if !covered {
            continue;
        }
        let ast = syn::parse_file(text).map_err(|e| format!("{file}:{}: {e}", line(e.span())))?;
        let mut measure = FnMeasure {
            file,
            owner: Vec::new(),
            max,
            long: Vec::new(),
        };
        measure.visit_file(&ast);
        long.extend(measure.long);
    }
    Ok(long)
}

/// `Err` listing every function of `src/align` and `src/wildtype` over [`MAX_FN_LINES`].
fn check_lengths(sources: &Sources) -> Result<(), String> {
    let long = long_functions(sources, SHORT_FN_MODULES, MAX_FN_LINES)?;
    if long.is_empty() {
        return Ok(());
    }
    let mut out = format!(
        "functions longer than {MAX_FN_LINES} lines in src/{}:\n",
        SHORT_FN_MODULES.join(", src/")
    );
    for f in &long {
        let _ = writeln!(
            out,
            "  {}:{}  {}  {} lines",
            f.file, f.line, f.name, f.lines
        );
    }
    Err(out)
}

// ---------------------------------------------------------------------------------------------
// The crate's own src/

fn read_dir(dir: &Path, rel: &str, sources: &mut Sources) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 name");
        let rel = format!("{rel}/{file_name}");
        if path.is_dir() {
            read_dir(&path, &rel, sources);
        } else if file_name.ends_with(".rs") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            sources.insert(rel, text);
        }
    }
}

fn real_sources() -> Sources {
    let mut sources = Sources::new();
    read_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "src",
        &mut sources,
    );
    sources
}

#[test]
fn src_has_no_import_circles() {
    if let Err(report) = check_circles(&real_sources()) {
        panic!("{report}");
    }
}

#[test]
fn src_layers_import_one_way() {
    if let Err(report) = check_layers(&real_sources()) {
        panic!("{report}");
    }
}

#[test]
fn src_functions_are_short() {
    if let Err(report) = check_lengths(&real_sources()) {
        panic!("{report}");
    }
}

/// Lists every import between files of `src/`, to see what the checks above see:
/// `cargo test --test structure -- --ignored --nocapture list_src_imports`.
#[test]
#[ignore = "a listing, not a check"]
fn list_src_imports() {
    for edge in import_edges(&real_sources()).unwrap() {
        println!("{} -> {}", edge.site(), edge.to);
    }
}

// ---------------------------------------------------------------------------------------------
// The checker on synthetic crates

fn tree(files: &[(&str, &str)]) -> Sources {
    files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect()
}

/// The (from, to, line) of every edge.
fn sites(sources: &Sources) -> Vec<(String, String, usize)> {
    import_edges(sources)
        .unwrap()
        .into_iter()
        .map(|e| (e.from, e.to, e.line))
        .collect()
}

fn site(from: &str, to: &str, line: usize) -> (String, String, usize) {
    (from.to_string(), to.to_string(), line)
}

#[test]
fn two_file_circle_is_found() {
    let sources = tree(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
        (
            "src/b.rs",
            "pub struct B;\n\npub fn f() -> crate::a::A {\n    crate::a::A\n}\n",
        ),
    ]);
    let report = check_circles(&sources).unwrap_err();
    assert!(
        report.contains("circle 1 (2 files): src/a.rs, src/b.rs"),
        "{report}"
    );
    assert!(report.contains("src/a.rs:1  use crate::b::B"), "{report}");
    assert!(report.contains("src/b.rs:3  crate::a::A"), "{report}");
    assert!(report.contains("src/b.rs:4  crate::a::A"), "{report}");
    assert!(
        report.contains("shortest cycle: src/a.rs -> src/b.rs -> src/a.rs"),
        "{report}"
    );
}

#[test]
fn three_file_circle_is_found() {
    let sources = tree(&[
        (
            "src/lib.rs",
            "pub mod a;\npub mod b;\npub mod c;\npub mod d;\n",
        ),
        ("src/a.rs", "pub fn a() { crate::b::b(); crate::d::d(); }\n"),
        ("src/b.rs", "use super::c;\npub fn b() { c::c(); }\n"),
        (
            "src/c.rs",
            "\n\npub fn c() -> Vec<u8> { vec![crate::a::a()] }\n",
        ),
        ("src/d.rs", "pub fn d() {}\n"),
    ]);
    let report = check_circles(&sources).unwrap_err();
    assert!(report.starts_with("1 import circle(s)"), "{report}");
    assert!(
        report.contains("(3 files): src/a.rs, src/b.rs, src/c.rs\n"),
        "{report}"
    );
    assert!(
        report.contains("src/a.rs -> src/b.rs -> src/c.rs -> src/a.rs"),
        "{report}"
    );
    assert!(report.contains("src/b.rs:1  use super::c\n"), "{report}");
    assert!(report.contains("src/c.rs:3  crate::a::a\n"), "{report}");
    assert!(!report.contains("src/d.rs"), "{report}");
}

#[test]
fn dag_passes() {
    let sources = tree(&[
        ("src/lib.rs", "pub mod a;\npub mod b;\npub use b::B;\n"),
        ("src/a/mod.rs", "mod x;\nmod y;\npub use y::Y;\n"),
        ("src/a/x.rs", "pub struct X;\n"),
        ("src/a/y.rs", "use super::x::X;\npub struct Y(X);\n"),
        (
            "src/b.rs",
            "use crate::a::Y;\npub struct B(Y);\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
        ),
    ]);
    assert_eq!(check_circles(&sources), Ok(()));
    assert_eq!(check_layers(&sources), Ok(()));
}

#[test]
fn paths_resolve_to_files() {
    let sources = tree(&[
        ("src/lib.rs", "pub mod a;\npub mod x;\n"),
        ("src/a/mod.rs", "pub mod b;\npub struct E;\n"),
        ("src/a/b/mod.rs", "pub mod d;\npub struct C;\n"),
        ("src/a/b/d.rs", "pub struct D;\n"),
        ("src/x/mod.rs", "mod y;\nmod z;\nuse z::Z;\n"),
        (
            "src/x/y.rs",
            "use crate::a::{b::{C, d::D}, E};\n\
             use crate::a::b;\n\
             fn f() {\n\
             \x20   super::z::g();\n\
             \x20   let _: b::d::D = b::d::D;\n\
             \x20   let _ = std::mem::size_of::<C>();\n\
             }\n",
        ),
        ("src/x/z.rs", "pub struct Z;\npub fn g() {}\n"),
    ]);
    let found = sites(&sources);
    let expected = vec![
        site("src/x/mod.rs", "src/x/z.rs", 3),
        site("src/x/y.rs", "src/a/b/d.rs", 1),
        site("src/x/y.rs", "src/a/b/d.rs", 5),
        site("src/x/y.rs", "src/a/b/mod.rs", 1),
        site("src/x/y.rs", "src/a/b/mod.rs", 2),
        site("src/x/y.rs", "src/a/mod.rs", 1),
        site("src/x/y.rs", "src/x/z.rs", 4),
    ];
    let mut found_sorted = found.clone();
    found_sorted.sort();
    found_sorted.dedup();
    assert_eq!(found_sorted, expected, "{found:#?}");
}

#[test]
fn inline_and_test_modules_count() {
    let sources = tree(&[
        ("src/lib.rs", "pub mod a;\npub mod b;\n"),
        (
            "src/a.rs",
            "pub mod inner {\n    pub fn f() {}\n}\n\
             #[cfg(test)]\nmod tests {\n    use crate::b::helper;\n}\n",
        ),
        ("src/b.rs", "pub fn helper() { crate::a::inner::f() }\n"),
    ]);
    let edges = import_edges(&sources).unwrap();
    let test_edge = edges.iter().find(|e| e.from == "src/a.rs").unwrap();
    assert!(test_edge.test, "{test_edge:?}");
    assert_eq!((test_edge.to.as_str(), test_edge.line), ("src/b.rs", 6));
    let report = check_circles(&sources).unwrap_err();
    assert!(
        report.contains("src/a.rs:6  use crate::b::helper  [test]"),
        "{report}"
    );
    assert!(
        report.contains("src/b.rs:1  crate::a::inner::f"),
        "{report}"
    );
}

#[test]
fn macro_arguments_and_definitions_count() {
    let sources = tree(&[
        ("src/lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
        ("src/a.rs", "pub struct E;\npub fn f() {}\n"),
        (
            "src/b.rs",
            "pub fn g() -> Vec<u8> {\n    vec![super::a::f()]\n}\n",
        ),
        (
            "src/c.rs",
            "macro_rules! m {\n    () => {\n        $crate::a::E\n    };\n}\n",
        ),
    ]);
    let found = sites(&sources);
    assert_eq!(
        found,
        [
            site("src/b.rs", "src/a.rs", 2),
            site("src/c.rs", "src/a.rs", 3)
        ]
    );
}

#[test]
fn lower_layer_importing_upper_fails() {
    let sources = tree(&[
        (
            "src/lib.rs",
            "pub mod align;\npub mod fasta;\npub mod scoring;\npub mod cli;\n",
        ),
        (
            "src/align/mod.rs",
            "mod batch;\nuse crate::scoring::Matrix;\npub struct Aligner(Matrix);\n",
        ),
        ("src/align/batch.rs", "\nuse crate::fasta::Reader;\n"),
        (
            "src/fasta/mod.rs",
            "use crate::align::Aligner;\nuse crate::cli::Args;\npub struct Reader;\n",
        ),
        (
            "src/scoring/mod.rs",
            "pub struct Matrix;\nfn f() { let _ = crate::align::Aligner(Matrix); }\n",
        ),
        (
            "src/cli.rs",
            "use crate::fasta::Reader;\npub struct Args;\n",
        ),
    ]);
    let report = check_layers(&sources).unwrap_err();
    let lines: Vec<&str> = report.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "  src/align/batch.rs:2  use crate::fasta::Reader  (align imports fasta)",
            "  src/scoring/mod.rs:2  crate::align::Aligner  (scoring imports align)",
        ],
        "{report}"
    );
}

/// A function of `lines` lines, signature to closing brace.
fn function(name: &str, lines: usize) -> String {
    let mut text = format!("fn {name}() {{\n");
    for _ in 0..lines - 2 {
        text.push_str("    let _ = 0;\n");
    }
    text.push_str("}\n");
    text
}

#[test]
fn long_functions_fail_and_tests_are_ignored() {
    let align = [
        function("fits", 150),
        function("too_long", 151),
        format!(
            "struct S;\nimpl S {{\n    #[inline]\n    pub {}}}\n",
            function("method", 152)
        ),
        format!("#[test]\n{}", function("long_test", 300)),
        format!(
            "#[cfg(test)]\nmod tests {{\n{}}}\n",
            function("helper", 300)
        ),
    ]
    .concat();
    let sources = tree(&[
        ("src/lib.rs", "pub mod align;\npub mod fasta;\n"),
        ("src/align/mod.rs", &align),
        ("src/fasta.rs", &function("elsewhere", 400)),
    ]);
    let long = long_functions(&sources, SHORT_FN_MODULES, MAX_FN_LINES).unwrap();
    let found: Vec<(&str, usize, usize)> = long
        .iter()
        .map(|f| (f.name.as_str(), f.line, f.lines))
        .collect();
    assert_eq!(found, [("too_long", 151, 151), ("S::method", 305, 152)]);
    let report = check_lengths(&sources).unwrap_err();
    assert!(
        report.contains("src/align/mod.rs:151  too_long  151 lines"),
        "{report}"
    );
}

/// The features each feature-gated module of the crate needs.
const GATED: [(&str, &str); 4] = [
    ("wildtype_aligner::wildtype", "pipeline"),
    ("wildtype_aligner::fasta", "io"),
    ("wildtype_aligner::staged", "io"),
    ("wildtype_aligner::report", "report"),
];

/// Every integration test that uses a feature-gated module says so in Cargo.toml
/// (`required-features`), so that the engine-only build (`default-features = false`, run by
/// `.ci/engine-only`) compiles the tests it can and skips the others.
#[test]
fn tests_declare_the_features_they_use() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    // `key = ["a", "b"]` lines of each section (the manifest keeps these on one line).
    let quoted = |list: &str| -> Vec<String> {
        list.split('"')
            .skip(1)
            .step_by(2)
            .map(|f| f.trim_start_matches("dep:").to_owned())
            .collect()
    };
    let mut section = String::new();
    let mut features: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut tests: Vec<(String, Vec<String>)> = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_owned();
            if section == "[[test]]" {
                tests.push((String::new(), Vec::new()));
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        match section.as_str() {
            "[features]" => {
                features.insert(key.to_owned(), quoted(value));
            }
            "[[test]]" => {
                let test = tests.last_mut().unwrap();
                match key {
                    "name" => test.0 = value.trim_matches('"').to_owned(),
                    "required-features" => test.1 = quoted(value),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let declared: BTreeMap<String, Vec<String>> = tests
        .into_iter()
        .map(|(name, required)| {
            let mut all = required.clone();
            for feature in &required {
                all.extend(features.get(feature).cloned().unwrap_or_default());
            }
            (name, all)
        })
        .collect();
    assert!(declared.contains_key("pipeline_genomes"), "{declared:?}");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root.join("tests")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "structure" {
            continue; // names the modules above without using them
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let features = declared.get(&name).cloned().unwrap_or_default();
        for (module, feature) in GATED {
            if text.contains(module) && !features.iter().any(|f| f == feature) {
                missing.push(format!("tests/{name}.rs uses {module}: needs {feature}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add [[test]] name = \"...\" required-features = [...] to Cargo.toml:\n{}",
        missing.join("\n")
    );
}
