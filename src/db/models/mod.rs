//! Diesel models for every table: `X` (row), `NewX` (insert), `XChanges` (update).

mod accounts;
mod analytics_events;
mod conversation_sessions;
mod conversations;
mod course_invitations;
mod jobs;
mod languages;
mod learning_path_assignments;
mod learning_path_previews;
mod learning_paths;
mod messages;
mod payments;
mod scenario_generation_queue;
mod scenario_metadata;
mod scenarios;
mod sessions;
mod speakers;
mod stripe_events;
mod subscriptions;
mod tiers;
mod user_preferences;
mod user_scenario_progress;
mod user_usage;
mod users;

pub use accounts::{AuthToken, NewOutboxEmail, OutboxEmail, RateLimit};
pub use analytics_events::{AnalyticsEvent, AnalyticsEventChanges, NewAnalyticsEvent};
pub use conversation_sessions::{
    ConversationSession, ConversationSessionChanges, NewConversationSession, SessionTimes,
};
pub use conversations::{
    Conversation, ConversationChanges, ConversationPage, ConversationSummary, NewConversation,
};
pub use course_invitations::{CourseInvitation, CourseInvitationChanges};
pub use jobs::{Job, JobSchedule, NewJob};
pub use languages::{Language, LanguageChanges, NewLanguage};
pub use learning_path_assignments::{
    LearningPathAssignment, LearningPathAssignmentChanges, NewLearningPathAssignment,
};
pub use learning_path_previews::{
    LearningPathPreview, LearningPathPreviewChanges, NewLearningPathPreview, PreviewHeading,
};
pub use learning_paths::{
    CourseCardRow, CourseRow, LearningPath, LearningPathChanges, NewLearningPath, PathHeading,
};
pub use messages::{Message, MessageChanges, MessageLine, NewMessage, Said};
pub use payments::{NewPayment, Payment, PaymentChanges};
pub use scenario_generation_queue::{
    NewScenarioGenerationJob, ScenarioGenerationJob, ScenarioGenerationJobChanges,
};
pub use scenario_metadata::{NewScenarioMetadata, ScenarioMetadata, ScenarioMetadataChanges};
pub use scenarios::{NewScenario, Scenario, ScenarioBrief, ScenarioCardRow, ScenarioChanges};
pub use sessions::{NewSession, Session, SessionChanges};
pub use speakers::{NewSpeaker, Speaker, SpeakerChanges};
pub use stripe_events::{NewStripeEvent, StripeEvent};
pub use subscriptions::{NewSubscription, Subscription, SubscriptionChanges};
pub use tiers::{NewTier, Tier, TierChanges};
pub use user_preferences::{NewUserPreferences, UserPreferences, UserPreferencesChanges};
pub use user_scenario_progress::{
    NewUserScenarioProgress, UserScenarioProgress, UserScenarioProgressChanges,
};
pub use user_usage::{NewUserUsage, UsageSeconds, UserUsage, UserUsageChanges};
pub use users::{NewUser, User, UserChanges};
