//! OpenAPI loading: reading YAML/JSON, `$ref` resolution, the 3.0 → JSON Schema 2020-12 rewrite,
//! the [`Operation`] model, the sandbox fixture extension and schema validation. This room does
//! no HTTP and knows nothing of proptest.

mod either_place;
mod examples;
mod fixture;
mod lint;
mod load;
mod locate;
mod model;
mod operation;
mod side_effect;
mod structure;
mod syntax;
mod validate;

pub use either_place::{EitherPlace, either_places};
pub use examples::{Example, examples};
pub use fixture::{FixtureValue, SandboxFixture, sandbox_fixture};
pub use lint::{Diagnostic, lint_spec};
pub use load::{ReadError, load_resolved, parse_resolved};
pub use locate::locate;
pub use model::{BUNDLED, LoadError, Spec, bundled, load_spec, spec_from_document};
pub use operation::{
    BodyEncoding, Credential, CredentialLocation, Level, ModelError, Operation, ParamLocation, Parameter, RequestBody,
    ResponseSpec, Source, StatusKey, extract_operations, is_json_media,
};
pub use side_effect::{RecipientPart, SideEffect, side_effect};
pub use validate::{Violation, definition, is_valid, source_at, validation_errors, violations};
