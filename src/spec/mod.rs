//! OpenAPI loading: reading YAML/JSON, `$ref` resolution (schemas kept once, as definitions), the 3.0 → JSON Schema 2020-12 rewrite,
//! the [`Operation`] model, the sandbox fixture extension and schema validation. This room does
//! no HTTP and knows nothing of proptest.

mod definition;
mod either_place;
mod examples;
mod fixture;
mod invalid_input;
mod lint;
mod load;
mod locate;
mod model;
mod operation;
mod reference;
mod resolve;
mod side_effect;
mod structure;
mod syntax;
mod validate;

pub use definition::{definition, expand, referenced};
pub use either_place::{EitherPlace, either_places};
pub use examples::{Example, examples};
pub use fixture::{FixtureValue, SandboxFixture, sandbox_fixture};
pub use invalid_input::{InputPlace, InvalidInput, invalid_input};
pub use lint::{Diagnostic, lint_and_load, lint_and_load_file, lint_spec};
pub use load::{ReadError, load_resolved, parse_resolved};
pub use locate::locate;
pub use model::{BUNDLED, LoadError, Spec, bundled, load_spec, spec_from_document};
pub use operation::{
    BodyEncoding, Credential, CredentialLocation, Level, ModelError, Operation, ParamLocation, Parameter, RequestBody,
    ResponseSpec, Source, StatusKey, extract_operations, is_json_media,
};
pub use reference::follow;
pub use side_effect::{RecipientPart, SideEffect, side_effect};
pub use validate::{Violation, is_valid, source_at, validation_errors, validity_of, violations};
