//! View pieces shared by several pages, each mirroring its template in
//! `templates/components/`.

pub mod choices;
pub mod json_ld;
pub mod scenario_card;

pub use scenario_card::ScenarioCard;
