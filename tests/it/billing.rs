//! Billing through the front door: `/pricing`, Checkout, the return from it, the customer
//! portal, `/account/billing`, Stripe's webhook and the `stripe_sync` job, and plans set by
//! an admin. Stripe is a local mock (an actix server, as `google.rs` runs one) that answers
//! with complete objects from `tests/fixtures/stripe/` (written from Stripe's API reference
//! examples) and records what it was sent; nothing leaves the machine.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::Duration;
use diesel::prelude::*;
use kaiwa::config::{Secret, StripeSettings, TierPrice};
use kaiwa::db::schema::{jobs, payments, stripe_events, subscriptions, users};
use serde_json::{json, Value};

use crate::helpers::{row_counts, spawn_app, spawn_app_with, Browser, TestApp};

const WEBHOOK_SECRET: &str = "whsec_kaiwa_test";
const PLUS_MONTHLY: &str = "price_plus_monthly";

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/stripe/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("the fixture")).expect("JSON")
}

/// What the mock Stripe holds and was sent.
#[derive(Default)]
struct Stripe {
    /// Customers created, by idempotency key (a repeated key gets the same customer).
    customers: HashMap<String, String>,
    /// Every create-customer request's idempotency key.
    customer_requests: Vec<Option<String>>,
    /// Every Checkout Session request: its idempotency key and form body.
    checkouts: Vec<(Option<String>, String)>,
    /// Every portal session request's form body.
    portals: Vec<String>,
    /// Each customer's subscriptions and invoices, as the list endpoints return them.
    subscriptions: HashMap<String, Vec<Value>>,
    invoices: HashMap<String, Vec<Value>>,
    /// Query strings of the subscription list calls.
    subscription_queries: Vec<String>,
}

type Shared = Arc<Mutex<Stripe>>;

fn key(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn form_value(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn create_customer(
    req: HttpRequest,
    stripe: web::Data<Shared>,
    body: String,
) -> HttpResponse {
    // Stripe takes a while; two clicks overlap here.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let mut s = stripe.lock().unwrap();
    let k = key(&req);
    s.customer_requests.push(k.clone());
    let fresh = format!("cus_test_{}", s.customers.len() + 1);
    let id = match k {
        Some(k) => s.customers.entry(k).or_insert(fresh).clone(),
        None => fresh,
    };
    let mut customer = fixture("customer");
    customer["id"] = json!(id);
    customer["email"] = json!(form_value(&body, "email"));
    HttpResponse::Ok().json(customer)
}

async fn create_checkout(
    req: HttpRequest,
    stripe: web::Data<Shared>,
    body: String,
) -> HttpResponse {
    let mut s = stripe.lock().unwrap();
    s.checkouts.push((key(&req), body.clone()));
    let id = format!("cs_test_{}", s.checkouts.len());
    let mut session = fixture("checkout_session");
    session["id"] = json!(id);
    session["customer"] = json!(form_value(&body, "customer"));
    session["client_reference_id"] = json!(form_value(&body, "client_reference_id"));
    session["url"] = json!(format!("https://checkout.stripe.test/pay/{id}"));
    HttpResponse::Ok().json(session)
}

async fn create_portal(stripe: web::Data<Shared>, body: String) -> HttpResponse {
    stripe.lock().unwrap().portals.push(body.clone());
    let customer = form_value(&body, "customer").unwrap_or_default();
    let mut session = fixture("billing_portal_session");
    session["customer"] = json!(customer);
    session["return_url"] = json!(form_value(&body, "return_url"));
    session["url"] = json!(format!("https://billing.stripe.test/session/{customer}"));
    HttpResponse::Ok().json(session)
}

fn list(data: Vec<Value>, url: &str) -> Value {
    json!({ "object": "list", "data": data, "has_more": false, "url": url })
}

async fn list_subscriptions(req: HttpRequest, stripe: web::Data<Shared>) -> HttpResponse {
    let mut s = stripe.lock().unwrap();
    s.subscription_queries.push(req.query_string().to_owned());
    let customer = form_value(req.query_string(), "customer").unwrap_or_default();
    let data = s.subscriptions.get(&customer).cloned().unwrap_or_default();
    HttpResponse::Ok().json(list(data, "/v1/subscriptions"))
}

async fn list_invoices(req: HttpRequest, stripe: web::Data<Shared>) -> HttpResponse {
    let s = stripe.lock().unwrap();
    let customer = form_value(req.query_string(), "customer").unwrap_or_default();
    let data = s.invoices.get(&customer).cloned().unwrap_or_default();
    HttpResponse::Ok().json(list(data, "/v1/invoices"))
}

/// Starts the mock Stripe and an app configured to use it.
async fn app_with_stripe() -> (TestApp, Shared) {
    let stripe: Shared = Arc::default();
    let data = web::Data::new(stripe.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/v1/customers", web::post().to(create_customer))
            .route("/v1/checkout/sessions", web::post().to(create_checkout))
            .route("/v1/billing_portal/sessions", web::post().to(create_portal))
            .route("/v1/subscriptions", web::get().to(list_subscriptions))
            .route("/v1/invoices", web::get().to(list_invoices))
    })
    .workers(2)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    let price = |tier: &str, annual: bool, id: &str| TierPrice {
        tier_id: tier.into(),
        annual,
        price_id: id.into(),
    };
    let app = spawn_app_with(|s| {
        s.seed_on_start = true;
        s.stripe = Some(StripeSettings {
            secret_key: Secret::new("sk_test_kaiwa"),
            webhook_secret: Some(Secret::new(WEBHOOK_SECRET)),
            api_base: Some(format!("http://127.0.0.1:{port}")),
            prices: vec![
                price("plus", false, PLUS_MONTHLY),
                price("plus", true, "price_plus_annual"),
                price("premium", false, "price_premium_monthly"),
                price("premium", true, "price_premium_annual"),
            ],
        });
    })
    .await;
    (app, stripe)
}

/// A Stripe subscription of `customer` as the API returns it.
fn subscription(
    id: &str,
    customer: &str,
    status: &str,
    start: i64,
    end: i64,
    cancel: bool,
) -> Value {
    let mut s = fixture("subscription");
    s["id"] = json!(id);
    s["customer"] = json!(customer);
    s["status"] = json!(status);
    s["cancel_at_period_end"] = json!(cancel);
    s["created"] = json!(start);
    s["start_date"] = json!(start);
    let item = &mut s["items"]["data"][0];
    item["subscription"] = json!(id);
    item["current_period_start"] = json!(start);
    item["current_period_end"] = json!(end);
    item["price"]["id"] = json!(PLUS_MONTHLY);
    item["plan"]["id"] = json!(PLUS_MONTHLY);
    s
}

/// A paid invoice of `customer` for `subscription`.
fn paid_invoice(id: &str, customer: &str, subscription: &str, amount: i64, at: i64) -> Value {
    let mut i = fixture("invoice");
    i["id"] = json!(id);
    i["customer"] = json!(customer);
    i["amount_due"] = json!(amount);
    i["amount_paid"] = json!(amount);
    i["created"] = json!(at);
    i["status_transitions"]["paid_at"] = json!(at);
    i["parent"]["subscription_details"]["subscription"] = json!(subscription);
    i
}

/// An open invoice of `customer` for `subscription` whose payment failed `attempts` times
/// (Stripe retries it until its schedule gives up).
fn failed_invoice(
    id: &str,
    customer: &str,
    subscription: &str,
    amount: i64,
    at: i64,
    attempts: i64,
) -> Value {
    let mut i = fixture("invoice_payment_failed");
    i["id"] = json!(id);
    i["customer"] = json!(customer);
    i["amount_due"] = json!(amount);
    i["amount_remaining"] = json!(amount);
    i["created"] = json!(at);
    i["attempt_count"] = json!(attempts);
    i["next_payment_attempt"] = json!(at + 3 * 86_400);
    i["status_transitions"]["finalized_at"] = json!(at);
    i["parent"]["subscription_details"]["subscription"] = json!(subscription);
    i
}

/// An event of `kind` about `object`, as Stripe sends it.
fn event(kind: &str, object: Value, created: i64) -> String {
    let mut e = fixture("event");
    e["id"] = json!(format!("evt_{}", uuid::Uuid::now_v7().simple()));
    e["type"] = json!(kind);
    e["created"] = json!(created);
    e["data"]["object"] = object;
    e.to_string()
}

/// The `Stripe-Signature` header for `payload` signed at `t` (Unix seconds).
fn signature(payload: &str, secret: &str, t: i64) -> String {
    stripe_webhook::Webhook::generate_test_header(payload, secret, Some(t))
}

fn now(app: &TestApp) -> i64 {
    app.ctx.clock.now().timestamp()
}

async fn deliver(app: &TestApp, payload: &str, signature: Option<&str>) -> reqwest::StatusCode {
    let mut req = app
        .client
        .post(app.url("/webhooks/stripe"))
        .header("content-type", "application/json")
        .body(payload.to_owned());
    if let Some(sig) = signature {
        req = req.header("stripe-signature", sig);
    }
    req.send().await.expect("an answer").status()
}

async fn deliver_signed(app: &TestApp, payload: &str) -> reqwest::StatusCode {
    let sig = signature(payload, WEBHOOK_SECRET, now(app));
    deliver(app, payload, Some(&sig)).await
}

/// A learner whose account is Stripe customer `customer`.
async fn customer_learner(app: &TestApp, customer: &str) -> crate::helpers::Learner {
    let learner = app.learner().create().await;
    diesel::update(users::table.find(&learner.id))
        .set(users::stripe_customer_id.eq(customer))
        .execute(&mut app.conn())
        .unwrap();
    learner
}

/// [`customer_learner`], onboarded so they can start conversations.
async fn onboarded_customer(app: &TestApp, customer: &str) -> crate::helpers::Learner {
    let learner = app.learner().onboarded("ja").create().await;
    diesel::update(users::table.find(&learner.id))
        .set(users::stripe_customer_id.eq(customer))
        .execute(&mut app.conn())
        .unwrap();
    learner
}

/// What a new conversation's session clock says at its start (the plan's session length);
/// the conversation is ended again, so its time is not held.
async fn new_session_length(browser: &Browser) -> String {
    let res = browser
        .post_form(
            "/conversations",
            &[
                ("scenario_id", "ordering-ramen-osaka"),
                ("language", "ja"),
                ("mode", "traditional"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let clock = browser
        .get_html(&to)
        .await
        .text("#session-clock .clock-session");
    let end = browser.post_form(&format!("{to}/end"), &[]).await;
    assert_eq!(end.status(), 303);
    clock
}

/// The learner's payments, newest first: amount, status and invoice.
fn payment_rows(app: &TestApp, user: &str) -> Vec<(i32, String, Option<String>)> {
    payments::table
        .filter(payments::user_id.eq(user))
        .order(payments::created_at.desc())
        .select((
            payments::amount_cents,
            payments::status,
            payments::stripe_invoice_id,
        ))
        .load(&mut app.conn())
        .unwrap()
}

fn day_of(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%-d %B %Y")
        .to_string()
}

fn events(app: &TestApp) -> i64 {
    stripe_events::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

fn subscription_rows(app: &TestApp) -> i64 {
    subscriptions::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

fn sync_jobs(app: &TestApp) -> i64 {
    jobs::table
        .filter(jobs::kind.eq("stripe_sync"))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

/// The plan line and period line of `browser`'s billing page.
async fn plan_of(browser: &Browser) -> (String, String) {
    let page = browser.get_html("/account/billing").await;
    assert_eq!(page.status, 200);
    let period = page
        .texts(".plan-period")
        .into_iter()
        .next()
        .unwrap_or_default();
    (page.text(".plan-name"), period)
}

fn assert_security_headers(headers: &reqwest::header::HeaderMap) {
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("content-security-policy"));
}

#[tokio::test]
async fn without_stripe_keys_pricing_shows_the_tiers_and_says_billing_is_not_configured() {
    let app = spawn_app().await;
    let home = app.get_html("/").await;
    assert!(home
        .attrs("#pricing a", "href")
        .contains(&"/pricing".to_owned()));

    let page = app.new_browser().get_html("/pricing").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts(".tier h2"), ["Free", "Plus", "Premium"]);
    assert_eq!(page.texts(".tier .price")[1], "$29 / month");
    assert!(page
        .text(".billing-off")
        .contains("Billing is not configured on this server"));
    assert_eq!(
        page.texts(".not-configured").len(),
        2,
        "Plus and Premium say so"
    );
    assert!(page
        .attrs("form[action='/billing/checkout']", "action")
        .is_empty());
    assert_eq!(
        page.header("cache-control"),
        Some("public, max-age=60, stale-while-revalidate=600")
    );
    assert!(page.header("set-cookie").is_none());
    let annual = app.new_browser().get_html("/pricing?interval=annual").await;
    assert_eq!(annual.texts(".tier .price")[1], "$232 / year");

    let learner = app.learner().create().await;
    let signed_in = learner.browser.get_html("/pricing").await;
    assert_eq!(signed_in.header("cache-control"), Some("private, no-store"));
    assert_eq!(
        signed_in.texts(".tier-current h2"),
        ["Free"],
        "their plan is marked"
    );
    let before = row_counts(&app);
    let res = learner
        .browser
        .post_form(
            "/billing/checkout",
            &[("tier", "plus"), ("interval", "monthly")],
        )
        .await;
    assert_eq!(res.status(), 503);
    assert_security_headers(res.headers());
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Billing is not configured on this server"));
    let res = learner.browser.post_form("/billing/portal", &[]).await;
    assert_eq!(res.status(), 503);
    let account = learner.browser.get_html("/account/billing").await;
    assert_eq!(account.text(".plan-name"), "Free");
    assert!(account.text(".not-configured").contains("not configured"));

    for payload in [
        "{}",
        "not json",
        &event("invoice.paid", json!({}), now(&app)),
    ] {
        let sig = signature(payload, WEBHOOK_SECRET, now(&app));
        assert_eq!(deliver(&app, payload, Some(&sig)).await, 400, "{payload}");
        assert_eq!(deliver(&app, payload, None).await, 400);
    }
    assert_eq!(row_counts(&app), before, "nothing was written");
    assert_eq!(events(&app), 0);
}

#[tokio::test]
async fn signatures_that_do_not_verify_or_are_more_than_300_s_off_are_refused() {
    let (app, _stripe) = app_with_stripe().await;
    customer_learner(&app, "cus_sig").await;
    let sub = subscription(
        "sub_sig",
        "cus_sig",
        "active",
        now(&app),
        now(&app) + 86_400,
        false,
    );
    let payload = event("customer.subscription.updated", sub, now(&app));
    // why: the app's clock is put at the start of a second, so that 301 s ahead is still
    // more than 300 s ahead when the app reads its clock a moment later.
    let start = chrono::DateTime::from_timestamp(now(&app) + 1, 0).unwrap();
    app.clock.set(start);
    let t = start.timestamp();
    for (n, sig) in [
        Some(signature(&payload, WEBHOOK_SECRET, t + 301)),
        Some(signature(&payload, WEBHOOK_SECRET, t - 301)),
        None,
        Some("garbage".to_owned()),
        Some(signature(&payload, "whsec_someone_else", t)),
        Some(signature(&format!("{payload} "), WEBHOOK_SECRET, t)),
    ]
    .into_iter()
    .enumerate()
    {
        let status = deliver(&app, &payload, sig.as_deref()).await;
        assert_eq!(status, 400, "{n}: {sig:?}");
    }
    assert_eq!(events(&app), 0);
    assert_eq!(subscription_rows(&app), 0);
    assert_eq!(sync_jobs(&app), 0);

    let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(70 * 1024));
    let sig = signature(&huge, WEBHOOK_SECRET, t);
    assert_eq!(deliver(&app, &huge, Some(&sig)).await, 413);

    let sig = signature(&payload, WEBHOOK_SECRET, t - 290);
    assert_eq!(
        deliver(&app, &payload, Some(&sig)).await,
        200,
        "within 300 s"
    );
    assert_eq!(events(&app), 1);
}

#[tokio::test]
async fn ten_concurrent_deliveries_of_one_event_make_one_row_one_job_and_one_subscription() {
    let (app, stripe) = app_with_stripe().await;
    let learner = customer_learner(&app, "cus_many").await;
    let t = now(&app);
    let sub = subscription("sub_many", "cus_many", "active", t, t + 30 * 86_400, false);
    stripe
        .lock()
        .unwrap()
        .subscriptions
        .insert("cus_many".into(), vec![sub.clone()]);
    let payload = event("customer.subscription.created", sub, t);
    let sig = signature(&payload, WEBHOOK_SECRET, t);
    let deliveries = (0..10).map(|_| deliver(&app, &payload, Some(&sig)));
    let statuses = futures_util::future::join_all(deliveries).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(events(&app), 1);
    assert_eq!(sync_jobs(&app), 1);
    app.run_jobs_until_idle().await;
    assert_eq!(subscription_rows(&app), 1);
    assert_eq!(plan_of(&learner.browser).await.0, "Plus Active");
    assert!(stripe
        .lock()
        .unwrap()
        .subscription_queries
        .iter()
        .all(|q| q.contains("status=all")));
    // The same event again, later: acknowledged, and nothing more happens.
    assert_eq!(deliver_signed(&app, &payload).await, 200);
    assert_eq!(sync_jobs(&app), 1);
}

/// Every ordering of `items`.
fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut all = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first.clone());
            all.push(tail);
        }
    }
    all
}

#[tokio::test]
async fn every_order_of_the_checkout_events_ends_on_plus_with_one_payment() {
    let (app, stripe) = app_with_stripe().await;
    let orders = permutations(&[0usize, 1, 2, 3]);
    assert_eq!(orders.len(), 24);
    let t = now(&app);
    for (n, order) in orders.iter().enumerate() {
        let customer = format!("cus_order_{n}");
        let sub_id = format!("sub_order_{n}");
        let learner = customer_learner(&app, &customer).await;
        let sub = subscription(&sub_id, &customer, "active", t, t + 30 * 86_400, false);
        let invoice = paid_invoice(&format!("in_order_{n}"), &customer, &sub_id, 2900, t);
        let mut session = fixture("checkout_session");
        session["customer"] = json!(customer);
        session["client_reference_id"] = json!(learner.id);
        session["subscription"] = json!(sub_id);
        session["status"] = json!("complete");
        session["payment_status"] = json!("paid");
        let mut created = sub.clone();
        created["status"] = json!("incomplete");
        let events = [
            event("checkout.session.completed", session, t),
            event("customer.subscription.created", created, t),
            event("customer.subscription.updated", sub.clone(), t + 1),
            event("invoice.paid", invoice.clone(), t + 2),
        ];
        {
            let mut s = stripe.lock().unwrap();
            s.subscriptions.insert(customer.clone(), vec![sub]);
            s.invoices.insert(customer.clone(), vec![invoice]);
        }
        for &i in order {
            assert_eq!(deliver_signed(&app, &events[i]).await, 200);
            app.run_jobs_until_idle().await;
        }
        // A repeat of the first event changes nothing.
        assert_eq!(deliver_signed(&app, &events[order[0]]).await, 200);
        app.run_jobs_until_idle().await;
        let (plan, period) = plan_of(&learner.browser).await;
        assert_eq!(plan, "Plus Active", "order {order:?}");
        assert!(period.starts_with("Renews on"), "{period}");
        let rows: Vec<(String, String)> = subscriptions::table
            .filter(subscriptions::user_id.eq(&learner.id))
            .select((subscriptions::tier_id, subscriptions::status))
            .load(&mut app.conn())
            .unwrap();
        assert_eq!(
            rows,
            [("plus".to_owned(), "active".to_owned())],
            "order {order:?}"
        );
        let paid: Vec<(i32, String)> = payments::table
            .filter(payments::user_id.eq(&learner.id))
            .select((payments::amount_cents, payments::status))
            .load(&mut app.conn())
            .unwrap();
        assert_eq!(paid, [(2900, "succeeded".to_owned())], "order {order:?}");
    }
    assert_eq!(events(&app), 24 * 4);
}

#[tokio::test]
async fn a_cancellation_keeps_plus_until_the_period_ends_and_a_deletion_makes_it_free() {
    let (app, stripe) = app_with_stripe().await;
    let learner = customer_learner(&app, "cus_cancel").await;
    let t = now(&app);
    let end = t + 10 * 86_400;
    let sub = subscription("sub_cancel", "cus_cancel", "active", t, end, true);
    stripe
        .lock()
        .unwrap()
        .subscriptions
        .insert("cus_cancel".into(), vec![sub.clone()]);
    assert_eq!(
        deliver_signed(&app, &event("customer.subscription.updated", sub, t)).await,
        200
    );
    app.run_jobs_until_idle().await;
    let (plan, period) = plan_of(&learner.browser).await;
    assert_eq!(plan, "Plus Active");
    let end_day = chrono::DateTime::from_timestamp(end, 0)
        .unwrap()
        .format("%-d %B %Y")
        .to_string();
    assert_eq!(period, format!("Cancels on {end_day}"));

    app.clock.advance(Duration::days(11));
    let (plan, period) = plan_of(&learner.browser).await;
    assert_eq!(plan, "Free Ended", "free once the period is over");
    assert_eq!(period, format!("Ended on {end_day}"));

    let mut deleted = subscription("sub_cancel", "cus_cancel", "canceled", t, end, false);
    deleted["canceled_at"] = json!(end);
    deleted["ended_at"] = json!(end);
    stripe
        .lock()
        .unwrap()
        .subscriptions
        .insert("cus_cancel".into(), vec![deleted.clone()]);
    let payload = event("customer.subscription.deleted", deleted, now(&app));
    assert_eq!(deliver_signed(&app, &payload).await, 200);
    app.run_jobs_until_idle().await;
    assert_eq!(plan_of(&learner.browser).await.0, "Free Canceled");
    assert_eq!(subscription_rows(&app), 1);
}

#[tokio::test]
async fn checkout_makes_one_customer_under_two_clicks_and_the_return_shows_plus() {
    let (app, stripe) = app_with_stripe().await;
    let learner = app.learner().create().await;
    let b = &learner.browser;
    b.csrf().await;
    let click = || {
        b.post_form(
            "/billing/checkout",
            &[("tier", "plus"), ("interval", "monthly")],
        )
    };
    let (one, two) = tokio::join!(click(), click());
    for res in [one, two] {
        assert_eq!(res.status(), 303);
        let to = res.headers()["location"].to_str().unwrap();
        assert!(
            to.starts_with("https://checkout.stripe.test/pay/cs_test_"),
            "{to}"
        );
    }
    let stored: Option<String> = users::table
        .find(&learner.id)
        .select(users::stripe_customer_id)
        .first(&mut app.conn())
        .unwrap();
    let customer = stored.expect("a Stripe customer is stored");
    {
        let s = stripe.lock().unwrap();
        assert_eq!(s.customers.len(), 1, "one customer at Stripe");
        assert!(s.customers.values().all(|c| *c == customer));
        assert!(
            s.customer_requests.iter().all(Option::is_some),
            "sent with a key"
        );
        assert_eq!(s.checkouts.len(), 2);
        for (key, body) in &s.checkouts {
            assert!(
                key.as_deref().is_some_and(|k| !k.is_empty()),
                "Idempotency-Key sent"
            );
            assert_eq!(form_value(body, "mode").as_deref(), Some("subscription"));
            assert_eq!(
                form_value(body, "customer").as_deref(),
                Some(customer.as_str())
            );
            assert_eq!(
                form_value(body, "client_reference_id").as_deref(),
                Some(learner.id.as_str())
            );
            assert_eq!(
                form_value(body, "line_items[0][price]").as_deref(),
                Some(PLUS_MONTHLY)
            );
            let success = form_value(body, "success_url").unwrap();
            assert!(
                success.ends_with("/billing/return?session_id={CHECKOUT_SESSION_ID}"),
                "{success}"
            );
            assert!(form_value(body, "cancel_url")
                .unwrap()
                .ends_with("/pricing"));
        }
        assert_eq!(
            s.checkouts[0].0, s.checkouts[1].0,
            "a double click reuses the session"
        );
    }

    let t = now(&app);
    let end = t + 30 * 86_400;
    {
        let mut s = stripe.lock().unwrap();
        let sub = subscription("sub_return", &customer, "active", t, end, false);
        s.subscriptions.insert(customer.clone(), vec![sub]);
        let invoice = paid_invoice("in_return", &customer, "sub_return", 2900, t);
        s.invoices.insert(customer.clone(), vec![invoice]);
    }
    let res = b.get("/billing/return?session_id=cs_test_1").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account/billing");
    let page = b.get_html("/account/billing").await;
    assert_eq!(page.text(".plan-name"), "Plus Active");
    let end_day = chrono::DateTime::from_timestamp(end, 0)
        .unwrap()
        .format("%-d %B %Y")
        .to_string();
    assert_eq!(page.text(".plan-period"), format!("Renews on {end_day}"));
    let today = chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%-d %B %Y")
        .to_string();
    assert_eq!(
        page.texts(".payments tbody td"),
        [today.as_str(), "$29", "Paid"]
    );
    assert_eq!(page.header("cache-control"), Some("private, no-store"));

    // The pricing page marks Plus and offers the portal instead of a second subscription.
    let pricing = b.get_html("/pricing").await;
    assert_eq!(pricing.texts(".tier-current h2"), ["Plus"]);
    let before = stripe.lock().unwrap().checkouts.len();
    let again = b
        .post_form(
            "/billing/checkout",
            &[("tier", "premium"), ("interval", "annual")],
        )
        .await;
    assert_eq!(again.status(), 422);
    assert_eq!(stripe.lock().unwrap().checkouts.len(), before);

    let res = b.post_form("/billing/portal", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("https://billing.stripe.test/session/{customer}")
    );
    let portal = stripe.lock().unwrap().portals[0].clone();
    assert!(form_value(&portal, "return_url")
        .unwrap()
        .ends_with("/account/billing"));
}

#[tokio::test]
async fn bad_billing_input_gets_a_clear_4xx_and_writes_nothing() {
    let (app, stripe) = app_with_stripe().await;
    let learner = app.learner().create().await;
    let b = &learner.browser;
    b.csrf().await;
    let before = row_counts(&app);
    for (fields, status) in [
        (vec![("tier", "gold"), ("interval", "monthly")], 400),
        (vec![("tier", "free"), ("interval", "monthly")], 400),
        (vec![("tier", "plus"), ("interval", "weekly")], 400),
        (vec![("tier", "plus")], 400),
        (vec![], 400),
    ] {
        let res = b.post_form("/billing/checkout", &fields).await;
        assert_eq!(res.status(), status, "{fields:?}");
        assert_security_headers(res.headers());
    }
    let res = b
        .post_form_without_csrf(
            "/billing/checkout",
            &[("tier", "plus"), ("interval", "monthly")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(b.get("/pricing?interval=weekly").await.status(), 400);
    assert_eq!(
        b.get("/billing/return?session_id=nonsense").await.status(),
        400
    );
    assert_eq!(
        b.get("/billing/checkout?tier=gold&interval=monthly")
            .await
            .status(),
        400
    );
    let portal = b.post_form("/billing/portal", &[]).await;
    assert_eq!(portal.status(), 422, "no billing account yet");
    assert_eq!(row_counts(&app), before);
    assert!(stripe.lock().unwrap().customer_requests.is_empty());

    // The public page's buttons lead to the confirm step, through sign-in.
    let anonymous = app.new_browser();
    let page = anonymous.get_html("/pricing").await;
    let links = page.attrs("#tier-plus a.button", "href");
    assert_eq!(links, ["/billing/checkout?tier=plus&interval=monthly"]);
    let res = anonymous.get(&links[0]).await;
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));
    let confirm = b.get_html(&links[0]).await;
    assert_eq!(confirm.status, 200);
    assert_eq!(
        confirm.attrs("form[action='/billing/checkout'] input[name=tier]", "value"),
        ["plus"]
    );
    // Nobody else's billing page: it is always the signed-in learner's own.
    let other = app.learner().create().await;
    assert_eq!(plan_of(&other.browser).await.0, "Free");
    assert_eq!(
        app.new_browser().get("/account/billing").await.status(),
        303
    );
}

#[tokio::test]
async fn an_admin_sets_a_plan_by_hand_and_a_learner_cannot() {
    let app = spawn_app().await;
    let admin = app.learner().create().await;
    diesel::update(users::table.find(&admin.id))
        .set(users::is_admin.eq(true))
        .execute(&mut app.conn())
        .unwrap();
    let learner = app.learner().email("hand-set@example.com").create().await;
    let a = &admin.browser;
    assert_eq!(a.get("/admin/billing").await.status(), 200);
    let res = a
        .post_form(
            "/admin/billing/plan",
            &[("email", "hand-set@example.com"), ("tier", "premium")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (plan, period) = plan_of(&learner.browser).await;
    assert_eq!(plan, "Premium Active");
    assert_eq!(period, "Set by an administrator");
    let row: (Option<String>, Option<chrono::NaiveDateTime>) = subscriptions::table
        .filter(subscriptions::user_id.eq(&learner.id))
        .select((
            subscriptions::stripe_subscription_id,
            subscriptions::current_period_end,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(row, (None, None));

    let before = row_counts(&app);
    for (fields, status) in [
        (vec![("email", "nobody@example.com"), ("tier", "plus")], 422),
        (
            vec![("email", "hand-set@example.com"), ("tier", "gold")],
            422,
        ),
    ] {
        assert_eq!(
            a.post_form("/admin/billing/plan", &fields).await.status(),
            status
        );
    }
    let l = &learner.browser;
    assert_eq!(l.get("/admin/billing").await.status(), 404);
    let res = l
        .post_form(
            "/admin/billing/plan",
            &[("email", "hand-set@example.com"), ("tier", "plus")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_security_headers(res.headers());
    let res = l
        .post_form("/admin/billing/clear", &[("email", "hand-set@example.com")])
        .await;
    assert_eq!(res.status(), 403);
    let res = a
        .post_form_without_csrf(
            "/admin/billing/plan",
            &[("email", "hand-set@example.com"), ("tier", "plus")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(row_counts(&app), before, "nothing was written");
    assert_eq!(plan_of(l).await.0, "Premium Active");

    let res = a
        .post_form("/admin/billing/clear", &[("email", "hand-set@example.com")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(plan_of(l).await.0, "Free");
}

#[tokio::test]
async fn a_hand_set_plan_wins_over_stripe_until_it_is_removed() {
    let (app, stripe) = app_with_stripe().await;
    let admin = app.learner().create().await;
    diesel::update(users::table.find(&admin.id))
        .set(users::is_admin.eq(true))
        .execute(&mut app.conn())
        .unwrap();
    let learner = customer_learner(&app, "cus_both").await;
    let email: String = users::table
        .find(&learner.id)
        .select(users::email)
        .first(&mut app.conn())
        .unwrap();
    let t = now(&app);
    let sub = subscription("sub_both", "cus_both", "active", t, t + 30 * 86_400, false);
    stripe
        .lock()
        .unwrap()
        .subscriptions
        .insert("cus_both".into(), vec![sub.clone()]);
    assert_eq!(
        deliver_signed(
            &app,
            &event("customer.subscription.created", sub.clone(), t)
        )
        .await,
        200
    );
    app.run_jobs_until_idle().await;
    assert_eq!(plan_of(&learner.browser).await.0, "Plus Active");

    let fields = [("email", email.as_str()), ("tier", "premium")];
    let res = admin
        .browser
        .post_form("/admin/billing/plan", &fields)
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(plan_of(&learner.browser).await.0, "Premium Active");
    // A Stripe event meanwhile does not undo it.
    assert_eq!(
        deliver_signed(&app, &event("customer.subscription.updated", sub, t + 1)).await,
        200
    );
    app.run_jobs_until_idle().await;
    assert_eq!(plan_of(&learner.browser).await.0, "Premium Active");

    let fields = [("email", email.as_str())];
    let res = admin
        .browser
        .post_form("/admin/billing/clear", &fields)
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(sync_jobs(&app), 3, "removing it queued a sync");
    app.run_jobs_until_idle().await;
    assert_eq!(plan_of(&learner.browser).await.0, "Plus Active");
    assert_eq!(subscription_rows(&app), 1);
}

#[tokio::test]
async fn a_failed_renewal_is_past_due_keeping_plus_until_the_period_ends_and_then_free() {
    let (app, stripe) = app_with_stripe().await;
    crate::usage::at(&app, 2026, 12, 10, 12);
    let learner = onboarded_customer(&app, "cus_due").await;
    let b = &learner.browser;
    let t = now(&app);
    let month = 30 * 86_400;
    // The first month was paid; the renewal's card was declined: Stripe moved the
    // subscription to its next period, past due, and will retry.
    let paid = paid_invoice("in_due_1", "cus_due", "sub_due", 2900, t - month);
    let failed = failed_invoice("in_due_2", "cus_due", "sub_due", 2900, t, 1);
    let due = subscription("sub_due", "cus_due", "past_due", t, t + month, false);
    {
        let mut s = stripe.lock().unwrap();
        s.subscriptions.insert("cus_due".into(), vec![due.clone()]);
        s.invoices
            .insert("cus_due".into(), vec![failed.clone(), paid.clone()]);
    }
    for payload in [
        event("invoice.payment_failed", failed, t),
        event("customer.subscription.updated", due, t),
    ] {
        assert_eq!(deliver_signed(&app, &payload).await, 200);
    }
    app.run_jobs_until_idle().await;

    assert_eq!(
        payment_rows(&app, &learner.id),
        [
            (2900, "failed".to_owned(), Some("in_due_2".to_owned())),
            (2900, "succeeded".to_owned(), Some("in_due_1".to_owned())),
        ]
    );
    let status: String = subscriptions::table
        .filter(subscriptions::user_id.eq(&learner.id))
        .select(subscriptions::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "past_due");
    let end_day = day_of(t + month);
    let page = b.get_html("/account/billing").await;
    assert_eq!(page.text(".plan-name"), "Plus Past due");
    assert_eq!(
        page.text(".plan-period"),
        format!("Payment past due: retrying until {end_day}")
    );
    assert_eq!(
        page.texts(".payments tbody tr"),
        [
            format!("{}$29Failed", day_of(t)),
            format!("{}$29Paid", day_of(t - month)),
        ]
    );
    assert!(page
        .texts(".plan-limits li")
        .contains(&"Sessions up to 15 min".to_owned()));
    assert_eq!(new_session_length(b).await, "15 min left in this session");

    // A minute before the period ends: still Plus. Past it: free, and the page says why.
    app.clock.advance(Duration::seconds(month - 60));
    assert_eq!(plan_of(b).await.0, "Plus Past due");
    app.clock.advance(Duration::seconds(120));
    // why: the sign-in of a month ago has expired (sessions last 30 days).
    let signed_in_again = app.browser_for(&learner.id);
    let b = &signed_in_again;
    let (plan, period) = plan_of(b).await;
    assert_eq!(plan, "Free Past due");
    assert_eq!(
        period,
        format!(
            "Payment past due: the paid plan ended on {end_day}; paying the invoice brings it back"
        )
    );
    let page = b.get_html("/account/billing").await;
    assert!(page
        .texts(".plan-limits li")
        .contains(&"Sessions up to 4 min".to_owned()));
    assert_eq!(new_session_length(b).await, "4 min left in this session");

    // Stripe still holds the unpaid subscription: no second one is bought, the card is
    // updated in the portal.
    let pricing = b.get_html("/pricing").await;
    assert_eq!(
        pricing.attrs("#tier-plus form", "action"),
        ["/billing/portal"]
    );
    let res = b
        .post_form(
            "/billing/checkout",
            &[("tier", "plus"), ("interval", "monthly")],
        )
        .await;
    let page = crate::helpers::parse(res).await;
    assert_eq!(page.status, 422);
    assert!(
        page.html
            .root_element()
            .text()
            .collect::<String>()
            .contains("Your last payment didn't go through"),
        "{}",
        page.html.html()
    );
    assert!(stripe.lock().unwrap().checkouts.is_empty());

    // A retry goes through: the invoice is paid, the subscription active, Plus is back.
    let mut settled = paid_invoice("in_due_2", "cus_due", "sub_due", 2900, now(&app));
    settled["billing_reason"] = json!("subscription_cycle");
    let active = subscription("sub_due", "cus_due", "active", t, t + month, false);
    {
        let mut s = stripe.lock().unwrap();
        s.subscriptions.insert("cus_due".into(), vec![active]);
        s.invoices
            .insert("cus_due".into(), vec![settled.clone(), paid]);
    }
    let payload = event("invoice.paid", settled, now(&app));
    assert_eq!(deliver_signed(&app, &payload).await, 200);
    app.run_jobs_until_idle().await;
    assert_eq!(plan_of(b).await.0, "Plus Active");
    let statuses: Vec<String> = payment_rows(&app, &learner.id)
        .into_iter()
        .map(|(_, s, _)| s)
        .collect();
    assert_eq!(statuses, ["succeeded", "succeeded"], "the row was updated");
}

#[tokio::test]
async fn unpaid_or_canceled_after_the_retries_is_free_at_once_before_the_period_ends() {
    let (app, stripe) = app_with_stripe().await;
    crate::usage::at(&app, 2026, 12, 10, 12);
    let t = now(&app);
    let month = 30 * 86_400;
    for (n, (status, kind)) in [
        ("unpaid", "customer.subscription.updated"),
        ("canceled", "customer.subscription.deleted"),
    ]
    .into_iter()
    .enumerate()
    {
        crate::usage::at(&app, 2026, 12, 10, 12);
        let customer = format!("cus_retry_{n}");
        let sub_id = format!("sub_retry_{n}");
        let invoice_id = format!("in_retry_{n}");
        let learner = onboarded_customer(&app, &customer).await;
        let b = &learner.browser;
        let failed = failed_invoice(&invoice_id, &customer, &sub_id, 2900, t, 1);
        let due = subscription(&sub_id, &customer, "past_due", t, t + month, false);
        {
            let mut s = stripe.lock().unwrap();
            s.subscriptions.insert(customer.clone(), vec![due.clone()]);
            s.invoices.insert(customer.clone(), vec![failed.clone()]);
        }
        for payload in [
            event("invoice.payment_failed", failed, t),
            event("customer.subscription.updated", due, t),
        ] {
            assert_eq!(deliver_signed(&app, &payload).await, 200);
        }
        app.run_jobs_until_idle().await;
        assert_eq!(plan_of(b).await.0, "Plus Past due", "{status}");

        // Two weeks of retries later Stripe gives up: the subscription is unpaid (the
        // invoice stays open) or canceled (the invoice written off).
        app.clock.advance(Duration::days(14));
        let later = now(&app);
        let mut last = failed_invoice(&invoice_id, &customer, &sub_id, 2900, t, 4);
        last["next_payment_attempt"] = json!(null);
        let mut gone = subscription(&sub_id, &customer, status, t, t + month, false);
        if status == "canceled" {
            last["status"] = json!("uncollectible");
            last["status_transitions"]["marked_uncollectible_at"] = json!(later);
            gone["canceled_at"] = json!(later);
            gone["ended_at"] = json!(later);
            gone["cancellation_details"]["reason"] = json!("payment_failed");
        }
        {
            let mut s = stripe.lock().unwrap();
            s.subscriptions.insert(customer.clone(), vec![gone.clone()]);
            s.invoices.insert(customer.clone(), vec![last.clone()]);
        }
        for payload in [
            event("invoice.payment_failed", last, later),
            event(kind, gone, later),
        ] {
            assert_eq!(deliver_signed(&app, &payload).await, 200);
        }
        app.run_jobs_until_idle().await;

        let page = b.get_html("/account/billing").await;
        let expected = match status {
            "unpaid" => (
                "Free Unpaid",
                "Payment failed: the paid plan is off until the invoice is paid".to_owned(),
            ),
            _ => ("Free Canceled", format!("Ended on {}", day_of(later))),
        };
        assert_eq!(
            (page.text(".plan-name").as_str(), page.text(".plan-period")),
            expected,
            "{status}: free at once, before the period's end"
        );
        assert!(page
            .texts(".plan-limits li")
            .contains(&"Sessions up to 4 min".to_owned()));
        assert_eq!(
            page.texts(".payments tbody td"),
            [day_of(t).as_str(), "$29", "Failed"],
            "{status}: one payment row, failed"
        );
        assert_eq!(payment_rows(&app, &learner.id).len(), 1);
        assert_eq!(new_session_length(b).await, "4 min left in this session");

        // Unpaid, Stripe still holds it (the portal settles it); canceled, a new plan can be
        // bought.
        let res = b
            .post_form(
                "/billing/checkout",
                &[("tier", "plus"), ("interval", "monthly")],
            )
            .await;
        let expected = if status == "unpaid" { 422 } else { 303 };
        assert_eq!(res.status(), expected, "{status}");
    }
    assert_eq!(
        stripe.lock().unwrap().checkouts.len(),
        1,
        "only after the cancel"
    );
}
