-- Kaiwa founding schema: the data model (see ARCHITECTURE.md for how the areas use it).
-- Ids are UUIDv7 (or slugs where the spec says so) stored as text; JSON fields are text
-- holding serde-typed values; timestamps are UTC; money is integer cents; enums are text
-- with a CHECK. This file is identical for SQLite and PostgreSQL.

CREATE TABLE languages (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    native_name TEXT NOT NULL,
    writing_system TEXT NOT NULL
        CHECK (writing_system IN ('latin', 'japanese', 'chinese', 'hangul', 'cyrillic', 'arabic', 'devanagari', 'other')),
    supported_scripts TEXT NOT NULL DEFAULT '[]',
    is_rtl BOOLEAN NOT NULL DEFAULT FALSE,
    flag_emoji TEXT,
    sort_order INTEGER NOT NULL DEFAULT 0,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE speakers (
    id TEXT PRIMARY KEY NOT NULL,
    language_id TEXT NOT NULL REFERENCES languages (id) ON DELETE CASCADE,
    region TEXT NOT NULL,
    dialect_name TEXT NOT NULL,
    bcp47_code TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    voice_name TEXT NOT NULL,
    voice_provider_id TEXT NOT NULL,
    openai_voice_id TEXT,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX speakers_language_id_idx ON speakers (language_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    email_verified_at TIMESTAMP,
    password_hash TEXT,
    google_id TEXT UNIQUE,
    display_name TEXT,
    username TEXT UNIQUE,
    avatar_url TEXT,
    stripe_customer_id TEXT UNIQUE,
    native_language_id TEXT REFERENCES languages (id) ON DELETE SET NULL,
    preferred_ui_language_id TEXT REFERENCES languages (id) ON DELETE SET NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE user_preferences (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    guest_id TEXT UNIQUE,
    target_language_id TEXT NOT NULL REFERENCES languages (id),
    learning_goal TEXT NOT NULL DEFAULT 'Connection'
        CHECK (learning_goal IN ('Connection', 'Career', 'Travel', 'Academic', 'Culture', 'Growth')),
    speaking_level INTEGER NOT NULL DEFAULT 10 CHECK (speaking_level BETWEEN 1 AND 100),
    listening_level INTEGER NOT NULL DEFAULT 10 CHECK (listening_level BETWEEN 1 AND 100),
    reading_level INTEGER NOT NULL DEFAULT 10 CHECK (reading_level BETWEEN 1 AND 100),
    writing_level INTEGER NOT NULL DEFAULT 10 CHECK (writing_level BETWEEN 1 AND 100),
    challenge_preference TEXT NOT NULL DEFAULT 'moderate'
        CHECK (challenge_preference IN ('comfortable', 'moderate', 'challenging')),
    correction_style TEXT NOT NULL DEFAULT 'gentle'
        CHECK (correction_style IN ('immediate', 'gentle', 'end_of_session')),
    specific_goals TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (user_id IS NOT NULL OR guest_id IS NOT NULL)
);

-- The spec's `session` table: login sessions.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL,
    user_agent TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE scenarios (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('tutor', 'character', 'friendly_chat', 'expert')),
    difficulty TEXT NOT NULL CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    difficulty_rating INTEGER NOT NULL CHECK (difficulty_rating BETWEEN 1 AND 10),
    cefr_level TEXT NOT NULL CHECK (cefr_level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')),
    instructions TEXT NOT NULL,
    context TEXT NOT NULL,
    learning_goal TEXT
        CHECK (learning_goal IN ('Connection', 'Career', 'Travel', 'Academic', 'Culture', 'Growth')),
    cefr_recommendation TEXT,
    persona TEXT NOT NULL,
    expected_outcome TEXT NOT NULL,
    learning_objectives TEXT NOT NULL DEFAULT '[]',
    comfort_indicators TEXT NOT NULL,
    categories TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    primary_skill TEXT NOT NULL CHECK (primary_skill IN ('speaking', 'listening', 'reading', 'writing')),
    search_keywords TEXT NOT NULL DEFAULT '[]',
    thumbnail_url TEXT,
    estimated_duration_seconds INTEGER NOT NULL CHECK (estimated_duration_seconds > 0),
    created_by_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    visibility TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
    usage_count INTEGER NOT NULL DEFAULT 0,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX scenarios_listing_idx ON scenarios (is_active, visibility, created_at);
CREATE INDEX scenarios_difficulty_idx ON scenarios (difficulty);
CREATE INDEX scenarios_cefr_level_idx ON scenarios (cefr_level);
CREATE INDEX scenarios_role_idx ON scenarios (role);
CREATE INDEX scenarios_primary_skill_idx ON scenarios (primary_skill);
CREATE INDEX scenarios_created_by_user_id_idx ON scenarios (created_by_user_id);

CREATE TABLE scenario_metadata (
    scenario_id TEXT PRIMARY KEY NOT NULL REFERENCES scenarios (id) ON DELETE CASCADE,
    amount_saved_count INTEGER NOT NULL DEFAULT 0 CHECK (amount_saved_count >= 0),
    total_times_used INTEGER NOT NULL DEFAULT 0,
    total_attempts INTEGER NOT NULL DEFAULT 0,
    total_completions INTEGER NOT NULL DEFAULT 0,
    average_rating DOUBLE PRECISION,
    ratings_count INTEGER NOT NULL DEFAULT 0,
    ratings_sum INTEGER NOT NULL DEFAULT 0,
    completion_rate DOUBLE PRECISION NOT NULL DEFAULT 0,
    average_time_spent INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX scenario_metadata_saved_idx ON scenario_metadata (amount_saved_count);
CREATE INDEX scenario_metadata_rating_idx ON scenario_metadata (average_rating);
CREATE INDEX scenario_metadata_used_idx ON scenario_metadata (total_times_used);

CREATE TABLE user_scenario_progress (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scenario_id TEXT NOT NULL REFERENCES scenarios (id) ON DELETE CASCADE,
    is_saved BOOLEAN NOT NULL DEFAULT FALSE,
    saved_at TIMESTAMP,
    times_completed INTEGER NOT NULL DEFAULT 0,
    times_attempted INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TIMESTAMP,
    last_completed_at TIMESTAMP,
    total_time_spent_seconds INTEGER NOT NULL DEFAULT 0,
    user_rating INTEGER CHECK (user_rating BETWEEN 1 AND 5),
    user_notes TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id, scenario_id)
);
CREATE INDEX user_scenario_progress_scenario_id_idx ON user_scenario_progress (scenario_id);
CREATE INDEX user_scenario_progress_saved_idx ON user_scenario_progress (user_id, is_saved);

CREATE TABLE conversations (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    guest_id TEXT,
    target_language_id TEXT NOT NULL REFERENCES languages (id),
    mode TEXT NOT NULL DEFAULT 'traditional' CHECK (mode IN ('traditional', 'realtime')),
    scenario_id TEXT REFERENCES scenarios (id) ON DELETE SET NULL,
    speaker_id TEXT REFERENCES speakers (id) ON DELETE SET NULL,
    title TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    is_onboarding BOOLEAN NOT NULL DEFAULT FALSE,
    started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    ended_at TIMESTAMP,
    duration_seconds INTEGER NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0,
    audio_seconds INTEGER NOT NULL DEFAULT 0,
    comfort_rating INTEGER CHECK (comfort_rating BETWEEN 1 AND 5),
    engagement_level TEXT CHECK (engagement_level IN ('low', 'medium', 'high')),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (user_id IS NOT NULL OR guest_id IS NOT NULL)
);
CREATE INDEX conversations_user_idx ON conversations (user_id, started_at);
CREATE INDEX conversations_guest_idx ON conversations (guest_id, started_at);
CREATE INDEX conversations_scenario_id_idx ON conversations (scenario_id);

CREATE TABLE messages (
    id TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('assistant', 'user', 'system')),
    content TEXT NOT NULL,
    translated_content TEXT,
    romanization TEXT,
    pinyin TEXT,
    hiragana TEXT,
    katakana TEXT,
    kanji TEXT,
    translation_confidence DOUBLE PRECISION,
    translation_provider TEXT,
    grammar_analysis TEXT,
    vocabulary_analysis TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (conversation_id, position)
);

CREATE TABLE tiers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    monthly_conversations INTEGER,
    monthly_seconds INTEGER NOT NULL CHECK (monthly_seconds >= 0),
    monthly_realtime_sessions INTEGER,
    max_session_length_seconds INTEGER NOT NULL CHECK (max_session_length_seconds > 0),
    session_banking_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    max_banked_seconds INTEGER NOT NULL DEFAULT 0,
    max_extensions INTEGER NOT NULL DEFAULT 0,
    extension_seconds INTEGER NOT NULL DEFAULT 0,
    has_realtime_access BOOLEAN NOT NULL DEFAULT FALSE,
    has_advanced_voices BOOLEAN NOT NULL DEFAULT FALSE,
    has_analytics BOOLEAN NOT NULL DEFAULT FALSE,
    monthly_price_usd_cents INTEGER NOT NULL DEFAULT 0 CHECK (monthly_price_usd_cents >= 0),
    annual_price_usd_cents INTEGER NOT NULL DEFAULT 0 CHECK (annual_price_usd_cents >= 0),
    stripe_product_id TEXT,
    stripe_price_id_monthly TEXT,
    stripe_price_id_annual TEXT,
    sort_order INTEGER NOT NULL DEFAULT 0,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tier_id TEXT NOT NULL REFERENCES tiers (id),
    stripe_subscription_id TEXT UNIQUE,
    stripe_customer_id TEXT,
    stripe_price_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'canceled', 'past_due', 'trialing')),
    current_period_start TIMESTAMP,
    current_period_end TIMESTAMP,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE,
    is_active BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX subscriptions_user_id_idx ON subscriptions (user_id, is_active);

CREATE TABLE payments (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subscription_id TEXT REFERENCES subscriptions (id) ON DELETE SET NULL,
    stripe_payment_intent_id TEXT UNIQUE,
    stripe_invoice_id TEXT UNIQUE,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT 'usd',
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX payments_user_id_idx ON payments (user_id, created_at);
CREATE INDEX payments_subscription_id_idx ON payments (subscription_id);

CREATE TABLE user_usage (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period TEXT NOT NULL CHECK (period LIKE '____-__'),
    conversations_used INTEGER NOT NULL DEFAULT 0,
    seconds_used INTEGER NOT NULL DEFAULT 0,
    realtime_sessions_used INTEGER NOT NULL DEFAULT 0,
    banked_seconds INTEGER NOT NULL DEFAULT 0,
    banked_seconds_used INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id, period)
);

CREATE TABLE conversation_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT REFERENCES conversations (id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    language TEXT NOT NULL REFERENCES languages (id),
    start_time TIMESTAMP NOT NULL,
    end_time TIMESTAMP,
    duration_seconds INTEGER NOT NULL DEFAULT 0,
    seconds_consumed INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    was_extended BOOLEAN NOT NULL DEFAULT FALSE,
    extensions_used INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX conversation_sessions_user_idx ON conversation_sessions (user_id, start_time);
CREATE INDEX conversation_sessions_conversation_id_idx ON conversation_sessions (conversation_id);

CREATE TABLE analytics_events (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    session_id TEXT,
    event_name TEXT NOT NULL,
    properties TEXT NOT NULL DEFAULT '{}',
    user_agent TEXT,
    ip_address TEXT,
    referrer TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX analytics_events_name_idx ON analytics_events (event_name, created_at);
CREATE INDEX analytics_events_user_id_idx ON analytics_events (user_id);

CREATE TABLE learning_paths (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    target_language TEXT NOT NULL REFERENCES languages (id),
    schedule TEXT NOT NULL DEFAULT '[]',
    is_template BOOLEAN NOT NULL DEFAULT FALSE,
    is_public BOOLEAN NOT NULL DEFAULT FALSE,
    share_slug TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    created_by_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX learning_paths_user_id_idx ON learning_paths (user_id);
CREATE INDEX learning_paths_created_by_user_id_idx ON learning_paths (created_by_user_id);
CREATE INDEX learning_paths_public_idx ON learning_paths (is_public, is_template, status);

CREATE TABLE learning_path_assignments (
    id TEXT PRIMARY KEY NOT NULL,
    path_id TEXT NOT NULL REFERENCES learning_paths (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'learner' CHECK (role IN ('tester', 'learner')),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'completed', 'archived')),
    starts_at TIMESTAMP NOT NULL,
    current_day_index INTEGER NOT NULL DEFAULT 0 CHECK (current_day_index BETWEEN 0 AND 28),
    completed_at TIMESTAMP,
    email_reminders_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    last_email_sent_at TIMESTAMP,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, path_id)
);
CREATE INDEX learning_path_assignments_path_id_idx ON learning_path_assignments (path_id);
CREATE INDEX learning_path_assignments_reminder_idx ON learning_path_assignments (status, email_reminders_enabled);

CREATE TABLE learning_path_previews (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL UNIQUE,
    intent TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    target_language TEXT NOT NULL REFERENCES languages (id),
    source_language TEXT REFERENCES languages (id),
    schedule TEXT NOT NULL DEFAULT '[]',
    preview_scenarios TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'generating' CHECK (status IN ('generating', 'ready', 'committed')),
    committed_path_id TEXT REFERENCES learning_paths (id) ON DELETE SET NULL,
    expires_at TIMESTAMP NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX learning_path_previews_user_id_idx ON learning_path_previews (user_id);
CREATE INDEX learning_path_previews_expires_at_idx ON learning_path_previews (expires_at);

CREATE TABLE scenario_generation_queue (
    id TEXT PRIMARY KEY NOT NULL,
    path_id TEXT NOT NULL REFERENCES learning_paths (id) ON DELETE CASCADE,
    day_index INTEGER NOT NULL CHECK (day_index BETWEEN 1 AND 28),
    target_generation_date TIMESTAMP NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    last_error TEXT,
    retry_count INTEGER NOT NULL DEFAULT 0,
    last_processed_at TIMESTAMP,
    next_attempt_at TIMESTAMP,
    scenario_id TEXT REFERENCES scenarios (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (path_id, day_index)
);
CREATE INDEX scenario_generation_queue_due_idx ON scenario_generation_queue (status, target_generation_date);
