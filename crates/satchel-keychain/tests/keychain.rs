//! The keychain against real stores: gnome-keyring's Secret Service on a private session bus,
//! and the Linux kernel keyring in an anonymous session keyring.
//!
//! Both exist only inside `tests/with-keyring.sh`, which `cargo xtask test` wraps around the
//! test run. Outside it these tests fail, and say so, rather than pass without having touched a
//! keyring. Every test files its secrets under its own profile, so tests can run in parallel
//! and a leftover from an aborted run cannot satisfy a later assertion.
// Needs outside services or tools (a keyring, CUPS, PostgreSQL, zbarimg, a CJK font):
// `cargo xtask test` turns the feature on and starts them.
#![cfg(feature = "system-tests")]
#![cfg(target_os = "linux")]

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use satchel_keychain::{
    Backend, Error, Keychain, Secret, ECSHIP_API_KEY, ECSHIP_INTEGRATOR_USERNAME,
    HUB_REFRESH_TOKEN, SYNC_ACCOUNT_KEY,
};

const HINT: &str = "these tests need a real Secret Service and a kernel session keyring: run \
                    them as `crates/satchel-keychain/tests/with-keyring.sh cargo test -p \
                    satchel-keychain` or through `cargo xtask test`";

const BACKENDS: [Backend; 2] = [Backend::SecretService, Backend::KernelKeyring];

/// A profile nobody else uses in this run or an earlier one on the same keyring.
fn fresh_profile() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "t{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn ok<T>(what: &str, result: Result<T, Error>) -> T {
    result.unwrap_or_else(|err| panic!("{what}: {err}\n{HINT}"))
}

fn open(backend: Backend, profile: &str) -> Keychain {
    let keychain = ok("open", Keychain::open(backend, Some(profile)));
    assert_eq!(keychain.backend(), backend);
    keychain
}

fn get(keychain: &Keychain, name: &str) -> Option<String> {
    ok("get", keychain.get(name)).map(|s| s.expose().to_owned())
}

#[test]
fn set_get_replace_and_delete_in_each_backend() {
    for backend in BACKENDS {
        let keychain = open(backend, &fresh_profile());
        assert_eq!(get(&keychain, ECSHIP_API_KEY), None, "{backend}");

        ok(
            "set",
            keychain.set(ECSHIP_API_KEY, &Secret::from("key-one 金鐘")),
        );
        assert_eq!(
            get(&keychain, ECSHIP_API_KEY).as_deref(),
            Some("key-one 金鐘"),
            "{backend}"
        );

        ok(
            "replace",
            keychain.set(ECSHIP_API_KEY, &Secret::from("key-two")),
        );
        assert_eq!(
            get(&keychain, ECSHIP_API_KEY).as_deref(),
            Some("key-two"),
            "{backend}"
        );

        ok("delete", keychain.delete(ECSHIP_API_KEY));
        assert_eq!(get(&keychain, ECSHIP_API_KEY), None, "{backend}");
        // Signing out twice, or before ever signing in, must not fail.
        ok("delete again", keychain.delete(ECSHIP_API_KEY));
    }
}

#[test]
fn names_are_separate_entries() {
    for backend in BACKENDS {
        let keychain = open(backend, &fresh_profile());
        ok(
            "set user",
            keychain.set(ECSHIP_INTEGRATOR_USERNAME, &Secret::from("shop-123")),
        );
        ok(
            "set key",
            keychain.set(ECSHIP_API_KEY, &Secret::from("k-456")),
        );
        ok("delete key", keychain.delete(ECSHIP_API_KEY));
        assert_eq!(
            get(&keychain, ECSHIP_INTEGRATOR_USERNAME).as_deref(),
            Some("shop-123"),
            "{backend}: deleting one credential took another with it"
        );
        ok("cleanup", keychain.delete(ECSHIP_INTEGRATOR_USERNAME));
    }
}

#[test]
fn two_profiles_do_not_see_each_others_secrets() {
    for backend in BACKENDS {
        let (a, b) = (fresh_profile(), fresh_profile());
        let device_a = open(backend, &a);
        let device_b = open(backend, &b);
        assert_ne!(device_a.service(), device_b.service());

        ok(
            "set a",
            device_a.set(SYNC_ACCOUNT_KEY, &Secret::from("account-a")),
        );
        assert_eq!(get(&device_b, SYNC_ACCOUNT_KEY), None, "{backend}");

        ok(
            "set b",
            device_b.set(SYNC_ACCOUNT_KEY, &Secret::from("account-b")),
        );
        assert_eq!(
            get(&device_a, SYNC_ACCOUNT_KEY).as_deref(),
            Some("account-a"),
            "{backend}"
        );

        ok("delete b", device_b.delete(SYNC_ACCOUNT_KEY));
        assert_eq!(
            get(&device_a, SYNC_ACCOUNT_KEY).as_deref(),
            Some("account-a"),
            "{backend}: deleting in one profile removed the other's secret"
        );
        ok("cleanup", device_a.delete(SYNC_ACCOUNT_KEY));
    }
}

#[test]
fn a_secret_survives_reopening_the_keychain() {
    for backend in BACKENDS {
        let profile = fresh_profile();
        let first = open(backend, &profile);
        ok(
            "set",
            first.set(HUB_REFRESH_TOKEN, &Secret::from("refresh-789")),
        );
        drop(first);

        // A new handle has a new store object and, for the Secret Service, a new D-Bus
        // connection: what it reads comes from the daemon, not from anything we cached.
        let second = open(backend, &profile);
        assert_eq!(
            get(&second, HUB_REFRESH_TOKEN).as_deref(),
            Some("refresh-789"),
            "{backend}"
        );
        ok("cleanup", second.delete(HUB_REFRESH_TOKEN));
    }
}

#[test]
fn clones_share_the_same_entries_across_threads() {
    let keychain = open(Backend::SecretService, &fresh_profile());
    let writer = keychain.clone();
    std::thread::spawn(move || ok("set", writer.set(ECSHIP_API_KEY, &Secret::from("threaded"))))
        .join()
        .unwrap();
    assert_eq!(get(&keychain, ECSHIP_API_KEY).as_deref(), Some("threaded"));
    ok("cleanup", keychain.delete(ECSHIP_API_KEY));
}

#[test]
fn a_refused_value_is_not_echoed_and_leaves_the_old_one() {
    // The kernel refuses "user" keys over 32 767 bytes, which gives a real platform error to
    // inspect with a value we can recognise in its text.
    let keychain = open(Backend::KernelKeyring, &fresh_profile());
    ok(
        "set",
        keychain.set(ECSHIP_API_KEY, &Secret::from("the-good-key")),
    );

    let huge = Secret::new("LEAKED-API-KEY-".repeat(3000));
    let err = keychain
        .set(ECSHIP_API_KEY, &huge)
        .expect_err("the kernel keyring accepted a 45 kB key");
    for text in [
        err.to_string(),
        format!("{err:?}"),
        format!("{huge:?}"),
        huge.to_string(),
    ] {
        assert!(!text.contains("LEAKED"), "secret in {text:?}");
    }
    assert!(
        matches!(
            err,
            Error::Platform {
                backend: Backend::KernelKeyring,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        get(&keychain, ECSHIP_API_KEY).as_deref(),
        Some("the-good-key")
    );

    let empty = keychain.set(ECSHIP_API_KEY, &Secret::from(""));
    assert!(matches!(empty, Err(Error::EmptySecret { .. })), "{empty:?}");
    ok("cleanup", keychain.delete(ECSHIP_API_KEY));
}

#[test]
fn bad_names_and_profiles_are_refused_before_reaching_the_keyring() {
    let keychain = open(Backend::KernelKeyring, &fresh_profile());
    let err = keychain
        .set("api key@satchel", &Secret::from("x"))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidName { .. }), "{err:?}");
    let err = Keychain::open(Backend::KernelKeyring, Some("../other")).unwrap_err();
    assert!(matches!(err, Error::InvalidProfile { .. }), "{err:?}");
}

#[test]
fn backends_of_other_platforms_are_reported_unavailable() {
    let err = Keychain::open(Backend::WindowsCredentialManager, None).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unavailable {
                backend: Backend::WindowsCredentialManager,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn open_default_picks_the_secret_service_when_the_daemon_is_there() {
    let keychain = ok(
        "open_default",
        Keychain::open_default(Some(&fresh_profile())),
    );
    assert_eq!(keychain.backend(), Backend::SecretService, "{HINT}");
}

/// Runs this very test again in a child process whose session bus address leads nowhere, the
/// situation of a server or a CI box with no desktop; the child does the checking.
#[test]
fn open_default_falls_back_to_the_kernel_keyring_without_a_session_bus() {
    const CHILD: &str = "SATCHEL_KEYCHAIN_TEST_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let nowhere = Keychain::open(Backend::SecretService, None).unwrap_err();
        assert!(
            matches!(
                nowhere,
                Error::Unavailable {
                    backend: Backend::SecretService,
                    ..
                }
            ),
            "{nowhere:?}"
        );
        let keychain = ok(
            "open_default",
            Keychain::open_default(Some(&fresh_profile())),
        );
        assert_eq!(keychain.backend(), Backend::KernelKeyring);
        ok(
            "set",
            keychain.set(HUB_REFRESH_TOKEN, &Secret::from("headless")),
        );
        assert_eq!(
            get(&keychain, HUB_REFRESH_TOKEN).as_deref(),
            Some("headless")
        );
        ok("cleanup", keychain.delete(HUB_REFRESH_TOKEN));
        return;
    }

    let name = "open_default_falls_back_to_the_kernel_keyring_without_a_session_bus";
    let output = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/satchel-no-bus",
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the child run failed:\n{stdout}\n{stderr}"
    );
}

/// Locks the login keyring in a private daemon of its own (so the other tests keep theirs
/// unlocked) and checks that reading tells the user to unlock it.
#[test]
fn a_locked_keyring_asks_to_be_unlocked() {
    const CHILD: &str = "SATCHEL_KEYCHAIN_TEST_LOCKED";
    if std::env::var_os(CHILD).is_some() {
        let keychain = open(Backend::SecretService, &fresh_profile());
        ok(
            "set",
            keychain.set(ECSHIP_API_KEY, &Secret::from("LOCKED-AWAY")),
        );
        let lock = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/aliases/default",
            ])
            .output()
            .unwrap();
        assert!(lock.status.success(), "{lock:?}");
        let read = keychain.get(ECSHIP_API_KEY).unwrap_err();
        let write = keychain
            .set(ECSHIP_API_KEY, &Secret::from("LOCKED-AWAY-TOO"))
            .unwrap_err();
        for err in [read, write] {
            assert!(
                matches!(
                    err,
                    Error::Locked {
                        backend: Backend::SecretService
                    }
                ),
                "{err:?}"
            );
            assert!(err.to_string().contains("unlock your keyring"), "{err}");
            assert!(!format!("{err} {err:?}").contains("LOCKED-AWAY"), "{err:?}");
        }
        return;
    }
    let name = "a_locked_keyring_asks_to_be_unlocked";
    let wrapper = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/with-keyring.sh");
    let output = Command::new(wrapper)
        .arg(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the child run failed:\n{stdout}\n{stderr}"
    );
}
