//! Uses the blocking client exactly as a crate with default features would.

/// Who the token belongs to, asked with the blocking client.
pub fn whoami_email(endpoint: &str, token: &str) -> Result<String, podstack::Error> {
    let client = podstack::Client::builder()
        .use_environment(false)
        .api_endpoint(endpoint)
        .api_token(token)
        .build()?;
    let user = client.auth().whoami()?;
    Ok(user.email)
}
