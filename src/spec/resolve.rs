//! `$ref` resolution, in place and without copies of schemas. A schema that a `$ref` names (the
//! `$ref` sits where a schema goes, or points into `#/components/schemas`) is kept once, as a
//! definition ([`super::definition`]); each use keeps `{"$ref": "urn:conform:schema:N"}`. A `$ref`
//! to a whole parameter, request body, response, header or example of the document's own
//! `components` stays a reference to the resolved component ([`super::reference`]). Any other
//! `$ref` (into another file, a path item, …) is inlined: its target is resolved once and copied to
//! each use, and those are small once their schemas are references. So a recursive schema (a tree node whose children are tree nodes, two schemas that
//! refer to each other) is no special case. Only a cycle of bare `$ref`s (`A: {$ref: B}`,
//! `B: {$ref: A}`), which describes nothing, is an error.
//!
//! The main document is changed in place: its `components` are moved out to be read while
//! everything else is rewritten, and the few targets elsewhere in it are copied first. The
//! resolved `components.schemas` hold only references to the definitions.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::{Map, Value};

use super::definition::{DEFINITION_PREFIX, define, new_definition_uri};
use super::load::ReadError;

/// Inlined `$ref`s nest at most this deep (deeper means a cycle or a pathological document).
const MAX_REF_DEPTH: usize = 64;
/// Where a main document's components are.
const COMPONENTS: &str = "/components";

/// Resolves `document` (read from `path`) in place; `rewrite` is applied to the document and to
/// every definition before it is registered. Relative `$ref`s to other files are read with `read`.
pub fn resolve(
    path: &Path,
    mut document: Value,
    rewrite: fn(&mut Value),
    read: fn(&Path) -> Result<Value, String>,
) -> Result<Value, ReadError> {
    let components = document.as_object_mut().and_then(|o| o.remove("components")).unwrap_or(Value::Null);
    let mut resolver = Resolver {
        main: path.to_owned(),
        components,
        elsewhere: HashMap::new(),
        files: HashMap::new(),
        read,
        uris: HashMap::new(),
        pending: VecDeque::new(),
        inlined: HashMap::new(),
        stack: Vec::new(),
        definitions: Vec::new(),
        moved: HashMap::new(),
        pointed_into: HashSet::new(),
        kept: HashSet::new(),
        local_uris: HashMap::new(),
    };
    resolver.copy_targets_elsewhere(&document);
    let mut pointer = String::from("#");
    resolver.resolve_in(path, &mut document, &mut pointer, false)?;
    let components = resolver.resolve_components()?;
    resolver.define_pending()?;
    if let (Some(object), Some(components)) = (document.as_object_mut(), components) {
        object.insert("components".to_owned(), components);
    }
    rewrite(&mut document);
    for (uri, mut schema) in resolver.definitions {
        rewrite(&mut schema);
        define(uri, schema);
    }
    Ok(document)
}

struct Resolver {
    main: PathBuf,
    /// The main document's `components`, as written.
    components: Value,
    /// Targets elsewhere in the main document (`#/paths/...`), copied before it changed.
    elsewhere: HashMap<String, Value>,
    /// Every other document read so far, by path.
    files: HashMap<PathBuf, Rc<Value>>,
    read: fn(&Path) -> Result<Value, String>,
    /// The definition of each schema target (`file#pointer`).
    uris: HashMap<String, String>,
    /// Schema targets named but not yet defined, in the order they were met: (uri, file, fragment).
    pending: VecDeque<(String, PathBuf, String)>,
    /// Other targets, resolved once, by `file#pointer`.
    inlined: HashMap<String, Value>,
    /// The other targets being resolved, by `file#pointer`.
    stack: Vec<String>,
    /// Resolved schemas, by the name their references use.
    definitions: Vec<(String, Value)>,
    /// Component schemas moved out of `components` into `definitions` (instead of copied), by
    /// fragment (`/components/schemas/A`): the index of the definition, `None` while it is resolved.
    moved: HashMap<String, Option<usize>>,
    /// Component schemas that a local `$ref` points inside (`#/components/schemas/A/properties/b`):
    /// copied, not moved, so that the inside can be read as written while they are resolved.
    pointed_into: HashSet<String>,
    /// The components kept as references that were found and checked already, by fragment.
    kept: HashSet<String>,
    /// The definition of each schema target of the main document met so far, by the fragment
    /// of a `#…` reference written in the main document (a shortcut past [`Self::locate`]).
    local_uris: HashMap<String, String>,
}

/// Whether a `$ref` target says nothing but where to look next.
fn is_bare_ref(value: &Value) -> bool {
    value.as_object().is_some_and(|o| {
        o.contains_key("$ref")
            && o.keys().all(|k| matches!(k.as_str(), "$ref" | "description" | "summary" | "title" | "$comment"))
    })
}

fn escape(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains(['~', '/']) { segment.replace('~', "~0").replace('/', "~1").into() } else { segment.into() }
}

/// Every `$ref` string under `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(target)) = object.get("$ref") {
                out.push(target);
            }
            object.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

impl Resolver {
    /// Copies the targets of local `$ref`s that point outside `components`, which the rewrite
    /// of the document could change before they are read.
    fn copy_targets_elsewhere(&mut self, document: &Value) {
        let mut found = Vec::new();
        refs(document, &mut found);
        refs(&self.components, &mut found);
        for fragment in found.into_iter().filter_map(|t| t.strip_prefix('#')) {
            if let Some(inside) = fragment.strip_prefix("/components/schemas/")
                && let Some((name, _)) = inside.split_once('/')
            {
                self.pointed_into.insert(format!("/components/schemas/{name}"));
            }
            if fragment.starts_with(COMPONENTS) || self.elsewhere.contains_key(fragment) {
                continue;
            }
            if let Some(target) = document.pointer(fragment) {
                self.elsewhere.insert(fragment.to_owned(), target.clone());
            }
        }
    }

    /// The target at `fragment` in `file`, as written.
    fn target(&mut self, file: &Path, fragment: &str) -> Result<Option<&Value>, String> {
        if file == self.main {
            return Ok(match fragment.strip_prefix(COMPONENTS) {
                Some(rest) if rest.is_empty() || rest.starts_with('/') => match self.components.pointer(rest) {
                    Some(found) if !found.is_null() || !self.moved.contains_key(fragment) => Some(found),
                    _ => self.in_moved(fragment),
                },
                _ => self.elsewhere.get(fragment),
            });
        }
        if !self.files.contains_key(file) {
            let document = (self.read)(file)?;
            self.files.insert(file.to_owned(), Rc::new(document));
        }
        Ok(self.files.get(file).and_then(|d| d.pointer(fragment)))
    }

    /// The target at `fragment` inside a component schema already moved to the definitions
    /// (resolved: its `$ref`s name definitions).
    fn in_moved(&self, fragment: &str) -> Option<&Value> {
        let mut segments = fragment.splitn(5, '/');
        let head: Vec<&str> = segments.by_ref().take(4).collect();
        let rest = segments.next().map(|r| format!("/{r}")).unwrap_or_default();
        let index = (*self.moved.get(&head.join("/"))?)?;
        self.definitions[index].1.pointer(&rest)
    }

    /// The component schema at `fragment` of `file` moved out of the document when nothing else
    /// needs it as written (an exact `#/components/schemas/A` of the main document), else a copy.
    fn take_or_copy(&mut self, file: &Path, fragment: &str) -> Result<Value, String> {
        let exact = fragment.strip_prefix("/components/schemas/").is_some_and(|name| !name.contains('/'));
        if *file != self.main || !exact || self.moved.contains_key(fragment) || self.pointed_into.contains(fragment) {
            return self.copy_of(file, fragment);
        }
        match self.components.pointer_mut(&fragment[COMPONENTS.len()..]) {
            Some(found) => {
                self.moved.insert(fragment.to_owned(), None);
                Ok(std::mem::take(found))
            }
            None => Err(self.dangling(file)),
        }
    }

    /// Where `target` (written in `file`) points: the file, the fragment, and the `file#fragment` key.
    fn locate(&self, file: &Path, target: &str) -> Result<(PathBuf, String, String), String> {
        let (location, fragment) = target.split_once('#').unwrap_or((target, ""));
        if location.contains("://") {
            return Err("is remote; conform follows only local files".to_owned());
        }
        let target_file = if location.is_empty() {
            file.to_owned()
        } else {
            file.parent().unwrap_or_else(|| Path::new("")).join(location)
        };
        let key = format!("{}#{fragment}", target_file.display());
        Ok((target_file, fragment.to_owned(), key))
    }

    /// The target at `fragment` of `file`, copied; the error says why there is none.
    fn copy_of(&mut self, file: &Path, fragment: &str) -> Result<Value, String> {
        match self.target(file, fragment)? {
            Some(found) => Ok(found.clone()),
            None => Err(self.dangling(file)),
        }
    }

    /// The problem of a `$ref` whose target is not in `file`.
    fn dangling(&self, file: &Path) -> String {
        let place = if *file != self.main { format!(" in {}", file.display()) } else { String::new() };
        format!("points nowhere{place} (dangling)")
    }

    /// Rewrites every `$ref` under `value` (found in `file` at `pointer`): schemas become
    /// references to definitions, anything else is inlined. `schema`: `value` is a schema.
    fn resolve_in(
        &mut self,
        file: &Path,
        value: &mut Value,
        pointer: &mut String,
        schema: bool,
    ) -> Result<(), ReadError> {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(target)) = object.get("$ref") {
                    if target.starts_with(DEFINITION_PREFIX) {
                        // Already resolved (a part of a moved component schema).
                        return self.resolve_members(file, object, pointer, true, true);
                    }
                    // A local target met before: its definition, or a component kept as a reference.
                    if *file == self.main
                        && let Some(fragment) = target.strip_prefix('#')
                    {
                        let is_schema = schema || fragment.starts_with("/components/schemas/");
                        if is_schema && let Some(uri) = self.local_uris.get(fragment) {
                            object.insert("$ref".to_owned(), Value::String(uri.clone()));
                            return self.resolve_members(file, object, pointer, true, true);
                        }
                        if !is_schema && self.kept.contains(fragment) && super::reference::is_kept(fragment, object) {
                            return Ok(());
                        }
                    }
                    let target = target.clone();
                    let error = |problem: String, pointer: &str| ReadError::Ref {
                        pointer: pointer.to_owned(),
                        target: target.clone(),
                        problem,
                    };
                    let (target_file, fragment, key) = self.locate(file, &target).map_err(|e| error(e, pointer))?;
                    let is_schema = schema || fragment.starts_with("/components/schemas/");
                    if is_schema {
                        let uri = self.uri(&target_file, &fragment, key).map_err(|e| error(e, pointer))?;
                        if *file == self.main && target_file == self.main && target.starts_with('#') {
                            self.local_uris.insert(fragment, uri.clone());
                        }
                        object.insert("$ref".to_owned(), Value::String(uri));
                        return self.resolve_members(file, object, pointer, true, true);
                    }
                    if target_file == self.main && super::reference::is_kept(&fragment, object) {
                        // A shared component: it is resolved once, where it is, and read through
                        // the reference (see [`super::reference`]).
                        if self.target(&target_file, &fragment).map_err(|e| error(e, pointer))?.is_none() {
                            return Err(error(self.dangling(&target_file), pointer));
                        }
                        self.refuse_bare_cycle(&target_file, &fragment)?;
                        self.kept.insert(fragment);
                        return Ok(());
                    }
                    let mut inlined = self.inline(&target_file, &fragment, key).map_err(|e| match e {
                        Inline::Here(problem) => error(problem, pointer),
                        Inline::Deeper(e) => e,
                    })?;
                    // Keywords beside the `$ref` (allowed in 3.1) are kept.
                    self.resolve_members(file, object, pointer, false, true)?;
                    if let Value::Object(out) = &mut inlined {
                        for (k, v) in std::mem::take(object).into_iter().filter(|(k, _)| k != "$ref") {
                            out.insert(k, v);
                        }
                    }
                    *value = inlined;
                    return Ok(());
                }
                self.resolve_members(file, object, pointer, schema, false)
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let len = pointer.len();
                    pointer.push_str(&format!("/{i}"));
                    self.resolve_in(file, item, pointer, schema)?;
                    pointer.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// [`Self::resolve_in`] for each member of `object` (but its `$ref` when `skip_ref`). A member
    /// named `schema` (or OpenAPI 3.2's `itemSchema`) is a schema.
    fn resolve_members(
        &mut self,
        file: &Path,
        object: &mut Map<String, Value>,
        pointer: &mut String,
        schema: bool,
        skip_ref: bool,
    ) -> Result<(), ReadError> {
        for (key, child) in object.iter_mut() {
            if skip_ref && key == "$ref" || !(child.is_object() || child.is_array()) {
                continue;
            }
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&escape(key));
            self.resolve_in(file, child, pointer, schema || key == "schema" || key == "itemSchema")?;
            pointer.truncate(len);
        }
        Ok(())
    }

    /// The definition of the schema at `fragment` of `file` (named `key`), made on first use.
    fn uri(&mut self, file: &Path, fragment: &str, key: String) -> Result<String, String> {
        if let Some(uri) = self.uris.get(&key) {
            return Ok(uri.clone());
        }
        if self.target(file, fragment)?.is_none() {
            return Err(self.dangling(file));
        }
        let uri = new_definition_uri();
        self.uris.insert(key, uri.clone());
        self.pending.push_back((uri.clone(), file.to_owned(), fragment.to_owned()));
        Ok(uri)
    }

    /// The resolved target at `fragment` of `file` (named `key`), for a `$ref` that is not a schema.
    fn inline(&mut self, file: &Path, fragment: &str, key: String) -> Result<Value, Inline> {
        if let Some(done) = self.inlined.get(&key) {
            return Ok(done.clone());
        }
        if self.stack.contains(&key) {
            return Err(Inline::Here(
                "is circular: the $refs lead back to each other with no schema in between".into(),
            ));
        }
        if self.stack.len() >= MAX_REF_DEPTH {
            return Err(Inline::Here("nests too deep".to_owned()));
        }
        let mut found = self.copy_of(file, fragment).map_err(Inline::Here)?;
        self.stack.push(key.clone());
        let mut pointer = format!("#{fragment}");
        let resolved = self.resolve_in(file, &mut found, &mut pointer, false);
        self.stack.pop();
        resolved.map_err(Inline::Deeper)?;
        self.inlined.insert(key, found.clone());
        Ok(found)
    }

    /// Defines every schema named so far (which can name more).
    fn define_pending(&mut self) -> Result<(), ReadError> {
        while let Some((uri, file, fragment)) = self.pending.pop_front() {
            if self.target(&file, &fragment).ok().flatten().is_some_and(is_bare_ref) {
                self.refuse_bare_cycle(&file, &fragment)?;
            }
            let mut schema = self.take_or_copy(&file, &fragment).map_err(ReadError::Shape)?;
            let mut pointer = format!("#{fragment}");
            self.resolve_in(&file, &mut schema, &mut pointer, true)?;
            if let Some(index) = self.moved.get_mut(&fragment).filter(|_| file == self.main) {
                *index = Some(self.definitions.len());
            }
            self.definitions.push((uri, schema));
        }
        Ok(())
    }

    /// An error when the bare `$ref`s from `fragment` of `file` come back to where they started.
    fn refuse_bare_cycle(&mut self, file: &Path, fragment: &str) -> Result<(), ReadError> {
        let mut seen = HashSet::from([format!("{}#{fragment}", file.display())]);
        let (mut file, mut fragment) = (file.to_owned(), fragment.to_owned());
        loop {
            let Ok(Some(found)) = self.target(&file, &fragment) else { return Ok(()) };
            let Some(target) = found.get("$ref").and_then(Value::as_str).filter(|_| is_bare_ref(found)) else {
                return Ok(());
            };
            let target = target.to_owned();
            let Ok((next_file, next_fragment, key)) = self.locate(&file, &target) else { return Ok(()) };
            if !seen.insert(key) {
                return Err(ReadError::Ref {
                    pointer: format!("#{fragment}"),
                    target,
                    problem: "is circular: the $refs lead back to each other with no schema in between".to_owned(),
                });
            }
            (file, fragment) = (next_file, next_fragment);
        }
    }

    /// The main document's components, resolved: each schema a reference to its definition,
    /// everything else inlined.
    fn resolve_components(&mut self) -> Result<Option<Value>, ReadError> {
        let Some(written) = self.components.as_object() else {
            return Ok((!self.components.is_null()).then(|| self.components.clone()));
        };
        let sections: Vec<(String, Vec<String>)> = written
            .iter()
            .map(|(section, entries)| {
                (section.clone(), entries.as_object().map(|e| e.keys().cloned().collect()).unwrap_or_default())
            })
            .collect();
        let mut out = Map::new();
        let main = self.main.clone();
        for (section, names) in sections {
            let mut entries = Map::new();
            if names.is_empty() {
                // Not a map of entries (or empty): kept as written.
                out.insert(section.clone(), self.components[&section].clone());
                continue;
            }
            for name in names {
                let fragment = format!("{COMPONENTS}/{}/{}", escape(&section), escape(&name));
                let key = format!("{}#{fragment}", main.display());
                let pointer = format!("#{fragment}");
                let resolved = if section == "schemas" {
                    let uri = self.uri(&main, &fragment, key).map_err(ReadError::Shape)?;
                    Value::Object(Map::from_iter([("$ref".to_owned(), Value::String(uri))]))
                } else {
                    self.inline(&main, &fragment, key).map_err(|e| match e {
                        Inline::Here(problem) => ReadError::Ref { pointer, target: String::new(), problem },
                        Inline::Deeper(e) => e,
                    })?
                };
                entries.insert(name, resolved);
            }
            out.insert(section, Value::Object(entries));
        }
        Ok(Some(Value::Object(out)))
    }
}

/// Why a target could not be inlined: a problem of the `$ref` itself, or one found inside it.
enum Inline {
    Here(String),
    Deeper(ReadError),
}
