//! Swagger 2.0 (OpenAPI 2.0), read natively: the document is checked as written ([`check`]),
//! then converted to the OpenAPI 3.0 shape ([`convert`]) that the rest of `spec/` reads, with a
//! [`super::pointer_map::PointerMap`] so that every later diagnostic points at the 2.0 file.
//!
//! | Swagger 2.0 | OpenAPI 3.0 |
//! |---|---|
//! | `host`, `basePath`, `schemes` | `servers` |
//! | `in: body` | `requestBody`, one media type per `consumes` |
//! | `in: formData` (and `type: file`) | a form or multipart `requestBody`, by `consumes` |
//! | `produces` | each response's `content` media types |
//! | `definitions`, `parameters`, `responses` | `components` (`$ref`s kept) |
//! | `securityDefinitions` (basic, apiKey, oauth2) | `components.securitySchemes` |
//! | `collectionFormat` | `style`/`explode` (`tsv`: `x-conform-collection-format`) |
//! | `x-nullable`, `discriminator`, `type: file` | `nullable`, a Discriminator Object, a binary string |
//! | response `examples` by media type | each media type's `example` |

mod check;
mod convert;
mod operation;
mod parameters;
mod responses;
mod schema;

pub use check::check;
pub use convert::convert;
pub use operation::PRODUCES;
pub use schema::rewrite_everywhere;
