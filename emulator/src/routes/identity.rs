//! `GET /v1/auth/whoami`.

use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::auth::Auth;
use crate::state::App;
use crate::time::fmt_rfc3339;

/// The caller and its token.
pub(crate) async fn whoami(
    State(app): State<App>,
    Extension(auth): Extension<Auth>,
) -> Json<Value> {
    let st = app.lock();
    Json(json!({
        "id": st.user.id,
        "email": st.user.email,
        "name": st.user.name,
        "account_id": st.user.account_id,
        "token": {
            "name": auth.info.name,
            "prefix": auth.info.prefix,
            "expires_at": auth.info.expires_at.map(fmt_rfc3339),
            "scopes": auth.info.scopes,
            "projects": auth.info.projects,
        },
    }))
}
