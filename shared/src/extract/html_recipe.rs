//! The `html` kind: a CSS-selector recipe for pages with no structured data.

use serde::{Deserialize, Serialize};

use super::{DocumentContext, Extraction};
use crate::error::ParseError;

/// Selectors per field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HtmlRecipe {}

impl HtmlRecipe {
    /// Checks every selector.
    pub fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Extracts with a recipe.
pub fn extract(
    recipe: &HtmlRecipe,
    body: &str,
    ctx: DocumentContext<'_>,
) -> Result<Extraction, ParseError> {
    let _ = (recipe, body, ctx);
    Ok(Extraction::default())
}
