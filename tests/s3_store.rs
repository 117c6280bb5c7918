//! Both doors of a bucket against each other, in both clients: what the SDK writes the
//! `object-store` feature's store reads over the emulator's S3 door, and the reverse;
//! and which proxy the store's requests go through.

#![cfg(feature = "object-store")]

mod common;
mod support;

common::for_each_client!("cases/s3_store.rs");

/// Sets proxy variables of the process and removes them when dropped (also when the
/// test fails). The only test here that touches the process environment: every other
/// one builds its clients with `use_environment(false)`, whose stores read none of it.
#[cfg(feature = "blocking")]
struct ProcessProxy;

#[cfg(feature = "blocking")]
impl ProcessProxy {
    const NAMES: [&'static str; 6] = [
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ];

    fn set(proxy: &str, no_proxy: &str) -> ProcessProxy {
        for name in Self::NAMES {
            let value = if name.eq_ignore_ascii_case("NO_PROXY") {
                no_proxy
            } else {
                proxy
            };
            std::env::set_var(name, value);
        }
        ProcessProxy
    }
}

#[cfg(feature = "blocking")]
impl Drop for ProcessProxy {
    fn drop(&mut self) {
        for name in Self::NAMES {
            std::env::remove_var(name);
        }
    }
}

/// The review's finding: the store's reqwest client read `HTTP_PROXY` from the process
/// even for a client that reads no environment, and sent the store's loopback S3
/// requests (signed with the bucket's keys, in plain http) to that proxy. Now the
/// process environment reaches a store only through the SDK's rule:
/// - a client built with `use_environment(false)` has no proxy, and nor has its store,
///   even with `HTTP_PROXY` naming a proxy the rule would use (one on this machine);
/// - `S3Credentials::object_store` reads the environment as a client would: a proxy
///   elsewhere is not used for http to this machine, one on this machine is, unless
///   `NO_PROXY` names the endpoint.
#[cfg(feature = "blocking")]
#[test]
fn the_process_environment_s_proxy_reaches_the_store_only_by_the_sdk_s_rule() {
    use object_store::path::Path;
    use object_store::ObjectStoreExt;
    use podstack::NewBucket;

    let put = |store: &object_store::aws::AmazonS3, key: &str| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(store.put(&Path::from(key), "hello".into()))
            .map(drop)
    };
    let emulator = podstack_emulator::Emulator::start();
    let client = blocking::emulator_client(&emulator);
    let bucket = client
        .buckets()
        .create(&NewBucket::new("process-env"))
        .unwrap();
    let credentials = client.buckets().credentials(&bucket.id).unwrap();
    let local = support::Proxy::start();
    let elsewhere = support::Proxy::start_elsewhere();
    let seen = |proxy: &support::Proxy, key: &str| {
        proxy
            .seen()
            .iter()
            .any(|p| p.request_line.contains(&format!("/process-env/{key}")))
    };

    let _env = ProcessProxy::set(&local.url(), "");
    let store = client.buckets().object_store(&bucket.id).unwrap();
    put(&store, "blocking.txt").unwrap();
    assert!(local.seen().is_empty(), "{:?}", local.seen());
    #[cfg(feature = "async")]
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = nonblocking::emulator_client(&emulator);
        let store = runtime
            .block_on(client.buckets().object_store(&bucket.id))
            .unwrap();
        put(&store, "async.txt").unwrap();
        assert!(local.seen().is_empty(), "{:?}", local.seen());
    }
    drop(_env);

    let _env = ProcessProxy::set(&elsewhere.url(), "");
    put(
        &credentials.object_store("process-env").unwrap(),
        "elsewhere.txt",
    )
    .unwrap();
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
    drop(_env);

    let _env = ProcessProxy::set(&local.url(), "");
    put(
        &credentials.object_store("process-env").unwrap(),
        "local.txt",
    )
    .unwrap();
    assert!(seen(&local, "local.txt"), "{:?}", local.seen());
    drop(_env);

    let _env = ProcessProxy::set(&local.url(), "127.0.0.1");
    put(
        &credentials.object_store("process-env").unwrap(),
        "bypassed.txt",
    )
    .unwrap();
    assert!(!seen(&local, "bypassed.txt"), "{:?}", local.seen());
}
