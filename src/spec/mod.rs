//! OpenAPI loading: reading YAML/JSON of a version conform reads (Swagger 2.0, converted to the
//! OpenAPI 3.0 shape; OpenAPI 3.0, 3.1 and 3.2), `$ref` resolution (schemas kept once, as
//! definitions), the 3.0 → JSON Schema 2020-12 rewrite, the [`Operation`] model, the sandbox
//! fixture extension, schema validation, and the diagnostics of a spec (errors and warnings,
//! located in the file as written). This room does no HTTP and knows nothing of proptest.

mod definition;
mod dialect;
mod either_place;
mod examples;
mod excerpt;
mod extract;
mod fixture;
mod hoist;
mod intern;
mod invalid_input;
mod links;
mod lint;
mod load;
mod locate;
mod locate_json;
mod methods;
mod model;
mod operation;
mod parameters;
mod pointer_map;
mod problem;
mod reference;
mod resolve;
mod scope;
mod security;
mod sequence;
mod side_effect;
mod structure;
mod swagger;
mod syntax;
mod v32;
mod validate;

pub use definition::{definition, expand, referenced};
pub use dialect::{Dialect, SUPPORTED};
pub use either_place::{EitherPlace, either_places};
pub use examples::{Example, examples};
pub use excerpt::{Excerpt, excerpt};
pub use extract::{extract_operations, take_operations};
pub use fixture::{FixtureValue, SandboxFixture, sandbox_fixture};
pub use invalid_input::{InputPlace, InvalidInput, invalid_input};
pub use links::{
    ExchangePart, Link, LinkOrigin, LinkParameter, LinkTarget, LinkValue, RuntimeExpression, check_links,
    embedded_expressions, read_links,
};
pub use lint::{Diagnostic, lint_and_load, lint_and_load_file, lint_spec};
pub use load::{ReadError, load_resolved, parse_resolved};
pub use locate::locate;
pub use methods::METHODS;
pub use model::{BUNDLED, LoadError, Spec, bundled, load_spec, spec_from_document};
pub use operation::{
    AcceptsValidInput, BodyEncoding, CollectionFormat, Credential, CredentialLocation, Level, ModelError, Operation,
    ParamLocation, Parameter, RequestBody, ResponseSpec, Source, StatusKey, is_json_media,
};
pub use problem::{DiagnosticLevel, Problem};
pub use reference::follow;
pub use sequence::{is_json_sequence, parse_json_sequence};
pub use side_effect::{RecipientPart, SideEffect, side_effect};
pub use validate::{Violation, is_valid, source_at, validation_errors, validity_of, violations};
