//! The installed package (issue #15), run by `cargo xtask test` after it has built the `.deb`
//! and installed it with apt: the installed binary, a fresh home folder, the first-run setup to
//! the home screen; then, after the same package is installed again (the upgrade path), the
//! data is still there. The feature `installed` builds them; xtask runs each by name, with
//! `SATCHEL_APP_BIN` and `SATCHEL_INSTALLED_HOME` set, at its point between the installs.

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, Locator};
use satchel_tests::{screenshot, wait_text, Driver};

/// The package's identifier: the per-user data folder is named after it.
const IDENTIFIER: &str = "app.satchel.desktop";

fn home() -> PathBuf {
    std::env::var_os("SATCHEL_INSTALLED_HOME")
        .map(PathBuf::from)
        .expect("SATCHEL_INSTALLED_HOME: run through `cargo xtask test`")
}

async fn wait_for(
    c: &Client,
    css: &str,
) -> Result<fantoccini::elements::Element, fantoccini::error::CmdError> {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
}

async fn type_into(c: &Client, css: &str, text: &str) -> Result<(), fantoccini::error::CmdError> {
    let input = wait_for(c, css).await?;
    input.clear().await?;
    input.send_keys(text).await
}

async fn finish(c: Client, outcome: Result<(), fantoccini::error::CmdError>) {
    if outcome.is_err() {
        screenshot(&c, "installed-failure").await;
    }
    c.close().await.ok();
    outcome.expect("WebDriver commands");
}

#[tokio::test]
async fn installed_first_run_sets_up_and_lands_on_today() {
    let home = home();
    let driver = Driver::start_installed(&home, IDENTIFIER);
    assert!(!driver.db().exists(), "a fresh home has no data yet");
    let c = driver.session().await;
    let outcome = async {
        wait_for(&c, "#setup-language:not([hidden])").await?;
        wait_for(&c, "#setup-en").await?.click().await?;
        wait_for(&c, "#setup-next-0").await?.click().await?;
        type_into(&c, "#setup-name", "Installed Shop").await?;
        type_into(&c, "#setup-line1", "1 Queen's Road Central").await?;
        type_into(&c, "#setup-city", "Hong Kong").await?;
        type_into(&c, "#setup-phone", "+852 9123 4567").await?;
        wait_for(&c, "#setup-save-sender").await?.click().await?;
        wait_for(&c, "#setup-prefs:not([hidden])").await?;
        wait_for(&c, "#setup-next-2").await?.click().await?;
        wait_for(&c, "#setup-finish").await?.click().await?;
        wait_text(&c, "#home-drafts .count", |t| t == "0").await?;
        screenshot(&c, "installed-home").await;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    finish(c, outcome).await;
    assert!(
        driver.db().exists(),
        "the data is kept in the per-user data folder: {}",
        driver.db().display()
    );
}

#[tokio::test]
async fn after_an_upgrade_install_the_data_is_still_there() {
    let home = home();
    let driver = Driver::start_installed(&home, IDENTIFIER);
    assert!(
        driver.db().exists(),
        "the first run's data survived the upgrade"
    );
    let c = driver.session().await;
    let outcome = async {
        // No setup this time: the sender profile is there, so the app opens on Today.
        wait_for(&c, "#home-lines").await?;
        assert!(c.find_all(Locator::Css("#setup")).await?.is_empty());
        assert!(c
            .find_all(Locator::Css("#home-needs-setup"))
            .await?
            .is_empty());
        wait_for(&c, "#nav-contacts").await?.click().await?;
        wait_text(&c, "#contacts", |t| t.contains("Installed Shop")).await?;
        screenshot(&c, "installed-after-upgrade").await;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    finish(c, outcome).await;
}
