//! End-to-end tests of the real app: the built binary in a real WebKitGTK window, driven
//! through tauri-driver. Each test is something a merchant would do and see.

use std::time::Duration;

use fantoccini::{Client, Locator};
use satchel_tests::{screenshot, wait_text, Driver};

async fn type_into(c: &Client, css: &str, text: &str) -> Result<(), fantoccini::error::CmdError> {
    let input = c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await?;
    input.clear().await?;
    input.send_keys(text).await
}

async fn click(c: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    c.find(Locator::Css(css)).await?.click().await
}

/// The language choice persists in the webview's storage; start each test in English.
async fn english(c: &Client) -> Result<(), fantoccini::error::CmdError> {
    if c.find(Locator::Css("#language")).await?.text().await? == "English" {
        click(c, "#language").await?;
        wait_text(c, "#language", |t| t == "中文").await?;
    }
    Ok(())
}

#[tokio::test]
async fn item_number_check_goes_through_every_layer() {
    let driver = Driver::start();
    let c = driver.session().await;
    let outcome = async {
        // The frame rendered: brand, navigation and the network indicator.
        let brand = wait_text(&c, ".brand .name", |t| !t.is_empty()).await?;
        assert_eq!(brand, "Satchel");
        wait_text(&c, "#network", |t| t == "Online" || t == "Offline").await?;
        english(&c).await?;

        type_into(&c, "#item-number", "LX123456785HK").await?;
        click(&c, "#check-item").await?;
        let ok = wait_text(&c, "#item-result", |t| !t.is_empty()).await?;
        assert!(
            ok.starts_with("Valid item number: LX123456785HK"),
            "got {ok:?}"
        );
        assert!(
            ok.contains("Tracked letter post"),
            "service indicator explained: {ok:?}"
        );
        screenshot(&c, "item-valid").await;

        // One mistyped digit: the reason names the digit the number needs.
        type_into(&c, "#item-number", "RB123456786US").await?;
        click(&c, "#check-item").await?;
        let bad = wait_text(&c, "#item-result", |t| t.starts_with("Not a valid")).await?;
        assert!(
            bad.contains("Check digit is 6 but should be 5"),
            "got {bad:?}"
        );

        // The same answer in Traditional Chinese after switching language.
        click(&c, "#language").await?;
        let zh = wait_text(&c, "#item-result", |t| t.contains("無效")).await?;
        assert!(zh.contains("校驗位是 6，應為 5"), "got {zh:?}");
        let nav = c.find(Locator::Css("#nav-item")).await?.text().await?;
        assert_eq!(nav, "郵件編號");
        screenshot(&c, "item-invalid-zh").await;
        english(&c).await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    outcome.expect("WebDriver commands");
}
