//! Uses the async client, enabling only the `async` feature.

/// Who the token belongs to, asked with the async client.
pub async fn whoami_email(endpoint: &str, token: &str) -> Result<String, podstack::Error> {
    let client = podstack::nonblocking::Client::builder()
        .use_environment(false)
        .api_endpoint(endpoint)
        .api_token(token)
        .build()?;
    let user = client.auth().whoami().await?;
    Ok(user.email)
}
