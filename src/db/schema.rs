//! @generated from migrations/*/2026-11-27-000001_create_schema/up.sql; keep the two in step.
//! One portable schema for SQLite and PostgreSQL (see `db::conn`).

diesel::table! {
    languages (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        native_name -> Text,
        writing_system -> Text,
        supported_scripts -> Text,
        is_rtl -> Bool,
        flag_emoji -> Nullable<Text>,
        sort_order -> Integer,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    speakers (id) {
        id -> Text,
        language_id -> Text,
        region -> Text,
        dialect_name -> Text,
        bcp47_code -> Text,
        gender -> Text,
        voice_name -> Text,
        voice_provider_id -> Text,
        openai_voice_id -> Nullable<Text>,
        is_default -> Bool,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        email_verified_at -> Nullable<Timestamp>,
        password_hash -> Nullable<Text>,
        google_id -> Nullable<Text>,
        display_name -> Nullable<Text>,
        username -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        stripe_customer_id -> Nullable<Text>,
        native_language_id -> Nullable<Text>,
        preferred_ui_language_id -> Nullable<Text>,
        is_admin -> Bool,
        last_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// An IANA time zone name ('UTC' until the browser or the learner says otherwise).
        time_zone -> Text,
    }
}

diesel::table! {
    user_preferences (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        guest_id -> Nullable<Text>,
        target_language_id -> Text,
        learning_goal -> Text,
        speaking_level -> Integer,
        listening_level -> Integer,
        reading_level -> Integer,
        writing_level -> Integer,
        challenge_preference -> Text,
        correction_style -> Text,
        specific_goals -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        expires_at -> Timestamp,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    scenarios (id) {
        id -> Text,
        title -> Text,
        description -> Text,
        role -> Text,
        difficulty -> Text,
        difficulty_rating -> Integer,
        cefr_level -> Text,
        instructions -> Text,
        context -> Text,
        learning_goal -> Nullable<Text>,
        cefr_recommendation -> Nullable<Text>,
        persona -> Text,
        expected_outcome -> Text,
        learning_objectives -> Text,
        comfort_indicators -> Text,
        categories -> Text,
        tags -> Text,
        primary_skill -> Text,
        search_keywords -> Text,
        thumbnail_url -> Nullable<Text>,
        estimated_duration_seconds -> Integer,
        created_by_user_id -> Nullable<Text>,
        visibility -> Text,
        usage_count -> Integer,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_title -> Text,
        search_body -> Text,
    }
}

diesel::table! {
    scenario_metadata (scenario_id) {
        scenario_id -> Text,
        amount_saved_count -> Integer,
        total_times_used -> Integer,
        total_attempts -> Integer,
        total_completions -> Integer,
        average_rating -> Nullable<Double>,
        ratings_count -> Integer,
        ratings_sum -> Integer,
        completion_rate -> Double,
        average_time_spent -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_scenario_progress (user_id, scenario_id) {
        user_id -> Text,
        scenario_id -> Text,
        is_saved -> Bool,
        saved_at -> Nullable<Timestamp>,
        times_completed -> Integer,
        times_attempted -> Integer,
        last_attempt_at -> Nullable<Timestamp>,
        last_completed_at -> Nullable<Timestamp>,
        total_time_spent_seconds -> Integer,
        user_rating -> Nullable<Integer>,
        user_notes -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    conversations (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        guest_id -> Nullable<Text>,
        target_language_id -> Text,
        mode -> Text,
        scenario_id -> Nullable<Text>,
        speaker_id -> Nullable<Text>,
        title -> Nullable<Text>,
        status -> Text,
        is_onboarding -> Bool,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        duration_seconds -> Integer,
        message_count -> Integer,
        audio_seconds -> Integer,
        comfort_rating -> Nullable<Integer>,
        engagement_level -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        completion -> Nullable<Text>,
        objectives_met -> Nullable<Text>,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        conversation_id -> Text,
        position -> Integer,
        role -> Text,
        content -> Text,
        translated_content -> Nullable<Text>,
        romanization -> Nullable<Text>,
        pinyin -> Nullable<Text>,
        hiragana -> Nullable<Text>,
        katakana -> Nullable<Text>,
        kanji -> Nullable<Text>,
        translation_confidence -> Nullable<Double>,
        translation_provider -> Nullable<Text>,
        grammar_analysis -> Nullable<Text>,
        vocabulary_analysis -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        ruby -> Nullable<Text>,
        aids_version -> Integer,
        provider_item_id -> Nullable<Text>,
    }
}

diesel::table! {
    tiers (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        monthly_conversations -> Nullable<Integer>,
        monthly_seconds -> Integer,
        monthly_realtime_sessions -> Nullable<Integer>,
        max_session_length_seconds -> Integer,
        session_banking_enabled -> Bool,
        max_banked_seconds -> Integer,
        max_extensions -> Integer,
        extension_seconds -> Integer,
        has_realtime_access -> Bool,
        has_advanced_voices -> Bool,
        has_analytics -> Bool,
        monthly_price_usd_cents -> Integer,
        annual_price_usd_cents -> Integer,
        stripe_product_id -> Nullable<Text>,
        stripe_price_id_monthly -> Nullable<Text>,
        stripe_price_id_annual -> Nullable<Text>,
        sort_order -> Integer,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> Text,
        user_id -> Text,
        tier_id -> Text,
        stripe_subscription_id -> Nullable<Text>,
        stripe_customer_id -> Nullable<Text>,
        stripe_price_id -> Nullable<Text>,
        status -> Text,
        current_period_start -> Nullable<Timestamp>,
        current_period_end -> Nullable<Timestamp>,
        cancel_at_period_end -> Bool,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        user_id -> Text,
        subscription_id -> Nullable<Text>,
        stripe_payment_intent_id -> Nullable<Text>,
        stripe_invoice_id -> Nullable<Text>,
        amount_cents -> Integer,
        currency -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_usage (user_id, period) {
        user_id -> Text,
        period -> Text,
        conversations_used -> Integer,
        seconds_used -> Integer,
        realtime_sessions_used -> Integer,
        banked_seconds -> Integer,
        banked_seconds_used -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        granted_seconds -> Integer,
        reserved_seconds -> Integer,
    }
}

diesel::table! {
    conversation_sessions (id) {
        id -> Text,
        conversation_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        language -> Text,
        start_time -> Timestamp,
        end_time -> Nullable<Timestamp>,
        duration_seconds -> Integer,
        seconds_consumed -> Integer,
        input_tokens -> Integer,
        was_extended -> Bool,
        extensions_used -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        period -> Nullable<Text>,
        guest_id -> Nullable<Text>,
        hold_seconds -> Integer,
        deadline_at -> Nullable<Timestamp>,
        last_activity_at -> Nullable<Timestamp>,
        max_extensions -> Integer,
        extension_seconds -> Integer,
        state -> Text,
        realtime_call_id -> Nullable<Text>,
        call_started_at -> Nullable<Timestamp>,
        call_ended_at -> Nullable<Timestamp>,
        call_sideband -> Bool,
    }
}

diesel::table! {
    analytics_events (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        session_id -> Nullable<Text>,
        event_name -> Text,
        properties -> Text,
        user_agent -> Nullable<Text>,
        ip_address -> Nullable<Text>,
        referrer -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    learning_paths (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        title -> Text,
        description -> Text,
        target_language -> Text,
        schedule -> Text,
        is_template -> Bool,
        is_public -> Bool,
        share_slug -> Nullable<Text>,
        status -> Text,
        created_by_user_id -> Nullable<Text>,
        metadata -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// Generated from `metadata.cefrLevel` (read only): what course listings filter on.
        cefr_level -> Nullable<Text>,
        /// Generated from `metadata.category` (read only).
        category -> Nullable<Text>,
        /// Generated from `metadata.estimatedMinutesPerDay` (read only).
        minutes_per_day -> Nullable<Integer>,
    }
}

diesel::table! {
    learning_path_assignments (id) {
        id -> Text,
        path_id -> Text,
        user_id -> Text,
        role -> Text,
        status -> Text,
        starts_at -> Timestamp,
        current_day_index -> Integer,
        completed_at -> Nullable<Timestamp>,
        email_reminders_enabled -> Bool,
        last_email_sent_at -> Nullable<Timestamp>,
        metadata -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    learning_path_previews (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        guest_id -> Nullable<Text>,
        session_id -> Text,
        intent -> Text,
        title -> Text,
        description -> Text,
        target_language -> Text,
        source_language -> Nullable<Text>,
        schedule -> Text,
        preview_scenarios -> Text,
        status -> Text,
        committed_path_id -> Nullable<Text>,
        expires_at -> Timestamp,
        metadata -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    scenario_generation_queue (id) {
        id -> Text,
        path_id -> Text,
        day_index -> Integer,
        target_generation_date -> Timestamp,
        status -> Text,
        last_error -> Nullable<Text>,
        retry_count -> Integer,
        last_processed_at -> Nullable<Timestamp>,
        next_attempt_at -> Nullable<Timestamp>,
        scenario_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(speakers -> languages (language_id));
diesel::joinable!(users -> languages (native_language_id));
diesel::joinable!(user_preferences -> users (user_id));
diesel::joinable!(user_preferences -> languages (target_language_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(scenarios -> users (created_by_user_id));
diesel::joinable!(scenario_metadata -> scenarios (scenario_id));
diesel::joinable!(user_scenario_progress -> users (user_id));
diesel::joinable!(user_scenario_progress -> scenarios (scenario_id));
diesel::joinable!(conversations -> users (user_id));
diesel::joinable!(conversations -> languages (target_language_id));
diesel::joinable!(conversations -> scenarios (scenario_id));
diesel::joinable!(conversations -> speakers (speaker_id));
diesel::table! {
    /// Categories and tags of scenarios as rows (kept in step with `scenarios.categories`
    /// and `scenarios.tags` by triggers).
    scenario_labels (kind, label, scenario_id) {
        kind -> Text,
        label -> Text,
        scenario_id -> Text,
    }
}

diesel::joinable!(scenario_labels -> scenarios (scenario_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(subscriptions -> users (user_id));
diesel::joinable!(subscriptions -> tiers (tier_id));
diesel::joinable!(payments -> users (user_id));
diesel::joinable!(payments -> subscriptions (subscription_id));
diesel::joinable!(user_usage -> users (user_id));
diesel::joinable!(conversation_sessions -> conversations (conversation_id));
diesel::joinable!(conversation_sessions -> users (user_id));
diesel::joinable!(conversation_sessions -> languages (language));
diesel::joinable!(analytics_events -> users (user_id));
diesel::joinable!(learning_paths -> users (user_id));
diesel::joinable!(learning_paths -> languages (target_language));
diesel::joinable!(learning_path_assignments -> learning_paths (path_id));
diesel::joinable!(learning_path_assignments -> users (user_id));
diesel::joinable!(learning_path_previews -> users (user_id));
diesel::joinable!(learning_path_previews -> languages (target_language));
diesel::joinable!(learning_path_previews -> learning_paths (committed_path_id));
diesel::joinable!(scenario_generation_queue -> learning_paths (path_id));
diesel::joinable!(scenario_generation_queue -> scenarios (scenario_id));

diesel::table! {
    auth_tokens (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        new_email -> Nullable<Text>,
        guest_id -> Nullable<Text>,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        next_attempt_at -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        /// The `List-Unsubscribe` URL sent with the email (reminders), if any.
        list_unsubscribe -> Nullable<Text>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        payload -> Text,
        dedupe_key -> Nullable<Text>,
        status -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        lease_owner -> Nullable<Text>,
        lease_expires_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    job_schedules (name) {
        name -> Text,
        last_slot -> Timestamp,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::joinable!(auth_tokens -> users (user_id));
diesel::joinable!(email_outbox -> users (user_id));

diesel::table! {
    course_invitations (id) {
        id -> Text,
        path_id -> Text,
        email -> Text,
        token_hash -> Text,
        note -> Text,
        invited_by_user_id -> Nullable<Text>,
        assignment_id -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(course_invitations -> learning_paths (path_id));
diesel::joinable!(course_invitations -> learning_path_assignments (assignment_id));

// From migrations/*/2026-12-04-000014_billing: Stripe webhook events, one row per event id.
diesel::table! {
    stripe_events (id) {
        id -> Text,
        #[sql_name = "type"]
        event_type -> Text,
        created -> Timestamp,
        customer_id -> Nullable<Text>,
        payload -> Text,
        received_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    course_invitations,
    stripe_events,
    scenario_labels,
    languages,
    speakers,
    users,
    user_preferences,
    sessions,
    scenarios,
    scenario_metadata,
    user_scenario_progress,
    conversations,
    messages,
    tiers,
    subscriptions,
    payments,
    user_usage,
    conversation_sessions,
    analytics_events,
    learning_paths,
    learning_path_assignments,
    learning_path_previews,
    scenario_generation_queue,
    auth_tokens,
    email_outbox,
    jobs,
    job_schedules,
    rate_limits,
);
