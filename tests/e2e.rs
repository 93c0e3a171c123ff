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

/// Closes the session; on failure keeps a screenshot and the page text for the report.
async fn finish(c: Client, outcome: Result<(), fantoccini::error::CmdError>) {
    if outcome.is_err() {
        screenshot(&c, "failure").await;
        if let Ok(el) = c.find(Locator::Css("body")).await {
            eprintln!(
                "page text at failure:\n{}",
                el.text().await.unwrap_or_default()
            );
        }
    }
    c.close().await.ok();
    outcome.expect("WebDriver commands");
}

/// The language choice persists in the webview's storage; start each test in English.
async fn english(c: &Client) -> Result<(), fantoccini::error::CmdError> {
    let button = c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#language"));
    if button.await?.text().await? == "English" {
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
    finish(c, outcome).await;
}

#[tokio::test]
async fn quote_screen_compares_services_for_a_destination_found_in_chinese() {
    let rates = satchel_core::rates::RateSet::bundled();
    let speedpost = rates
        .latest()
        .quote(satchel_core::service::Service::Speedpost, "JP", "JP", 450)
        .expect("Speedpost reaches Japan");

    let driver = Driver::start();
    let c = driver.session().await;
    let outcome = async {
        english(&c).await?;
        click(&c, "#nav-quote").await?;
        // Search in Chinese, pick the suggestion: the picker works in both scripts.
        type_into(&c, "#destination", "日本").await?;
        wait_text(&c, "#destination-suggestions", |t| t.contains("JAPAN")).await?;
        click(
            &c,
            "#destination-suggestions button.suggestion[data-zone='JP']",
        )
        .await?;
        type_into(&c, "#weight", "450").await?;
        click(&c, "#compare").await?;
        wait_text(&c, "#services", |t| t.contains("Speedpost")).await?;

        let row = c
            .find(Locator::Css("#services tr[data-service='speedpost']"))
            .await?;
        let cells = row.find_all(Locator::Css("td")).await?;
        let shown = |t: String| t.parse::<rust_decimal::Decimal>().expect("an amount");
        assert_eq!(shown(cells[1].text().await?), speedpost.estimate);
        assert_eq!(shown(cells[2].text().await?), speedpost.counter);
        assert!(cells[2]
            .text()
            .await?
            .ends_with(&format!("{:.2}", speedpost.counter)));

        // Cheapest first.
        let mut prices = Vec::new();
        for r in c.find_all(Locator::Css("#services tbody tr")).await? {
            let cell = r.find(Locator::Css("td.money")).await?.text().await?;
            prices.push(cell.parse::<rust_decimal::Decimal>().expect("a price"));
        }
        assert!(
            prices.len() >= 3,
            "several services reach Japan: {prices:?}"
        );
        assert!(
            prices.windows(2).all(|w| w[0] <= w[1]),
            "sorted: {prices:?}"
        );

        // Local services are listed as excluded, with the reason.
        let excluded = c.find(Locator::Css("#excluded")).await?;
        excluded
            .find(Locator::Css("summary"))
            .await?
            .click()
            .await?;
        let text = excluded.text().await?;
        assert!(text.contains("For addresses in Hong Kong only."), "{text}");
        screenshot(&c, "quote-jp").await;

        // On a phone-sized window the page still fits: nothing scrolls sideways.
        c.set_window_size(390, 844).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let widths = c
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await?;
        let (content, viewport) = (widths[0].as_u64(), widths[1].as_u64());
        assert!(
            content <= viewport,
            "content {content:?} wider than viewport {viewport:?}"
        );
        screenshot(&c, "quote-jp-phone").await;
        c.set_window_size(1024, 720).await?;

        // Goods to the US are refused by every service, in Chinese too.
        type_into(&c, "#destination", "united states").await?;
        click(
            &c,
            "#destination-suggestions button.suggestion[data-zone='US']",
        )
        .await?;
        c.find(Locator::Css("#category option[value='gift']"))
            .await?
            .click()
            .await?;
        click(&c, "#compare").await?;
        wait_text(&c, "#quote-result", |t| t.contains("R-063")).await?;
        click(&c, "#language").await?;
        let zh = wait_text(&c, "#quote-result", |t| t.contains("沒有服務")).await?;
        assert!(zh.contains("寄往美國的貨品暫停收寄"), "{zh}");
        screenshot(&c, "quote-us-zh").await;
        english(&c).await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    finish(c, outcome).await;
}
