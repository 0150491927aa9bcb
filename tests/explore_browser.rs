//! `explore` in a real browser: headless Chromium (Debian's `chromium` package, driven over
//! the DevTools protocol by `headless_chrome`, which downloads nothing) opens the page,
//! follows the erratum 1808 counterexample by clicking its steps, checks that each step's
//! transcript line and the chart appear, and saves a screenshot under `target/`.
//!
//! Ignored by default, for machines without Chromium: `.ci/run` installs it and runs
//! `cargo test --release --test explore_browser -- --ignored`. CHROMIUM names another binary.

mod common;
use common::explorer;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};

use explorer::{ERRATUM_STEPS, Explorer};

/// Evaluates `js` in the page and returns its value as JSON.
fn eval(tab: &Tab, js: &str) -> serde_json::Value {
    tab.evaluate(js, false)
        .unwrap_or_else(|e| panic!("{js}: {e}"))
        .value
        .unwrap_or(serde_json::Value::Null)
}

/// Waits until `js` evaluates to true; panics with `what` after 20 s.
fn wait_for(tab: &Tab, js: &str, what: &str) {
    let start = Instant::now();
    while eval(tab, js) != serde_json::Value::Bool(true) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A JS expression: the texts of the elements `selector` matches.
fn texts(selector: &str) -> String {
    format!(
        "[...document.querySelectorAll({})].map(e => e.textContent)",
        serde_json::to_string(selector).unwrap()
    )
}

/// Clicks the link among the next action choices whose text is `label`, as a reader does.
fn click_choice(tab: &Tab, label: &str) {
    assert!(!label.contains('"'), "XPath quoting: {label}");
    let xpath = format!(
        "//h2[text()='Next Action Choices']/following-sibling::ul[1]/li/a[text()=\"{label}\"]"
    );
    let link = tab
        .wait_for_xpath(&xpath)
        .unwrap_or_else(|e| panic!("no choice `{label}`: {e}"));
    link.click()
        .unwrap_or_else(|e| panic!("click `{label}`: {e}"));
}

#[test]
#[ignore = "needs Chromium (apt-get install chromium); .ci/run runs it"]
fn a_reader_follows_the_erratum_counterexample_by_clicking() {
    let explorer = Explorer::start(&[]);
    let chromium = std::env::var_os("CHROMIUM").map_or("/usr/bin/chromium".into(), PathBuf::from);
    let options = LaunchOptions::default_builder()
        .path(Some(chromium))
        .headless(true)
        // CI runs as root, where Chromium's sandbox refuses to start.
        .sandbox(false)
        .window_size(Some((1500, 2100)))
        .build()
        .expect("launch options");
    let browser = Browser::new(options).expect("Chromium starts");
    let tab = browser.new_tab().expect("a tab");
    tab.navigate_to(&format!("{}/", explorer.base))
        .and_then(|t| t.wait_until_navigated())
        .expect("the page loads");
    tab.set_default_timeout(Duration::from_secs(20));

    click_choice(&tab, "Init 0");
    let path_list = texts("ol.path-list li a");
    let current = "document.querySelector('section.main-flex-right div.font-small').textContent";
    let chart = "document.querySelector('section.main-flex-right svg')";
    for (n, label) in ERRATUM_STEPS.iter().enumerate() {
        click_choice(&tab, label);
        let js_label = serde_json::to_string(label).unwrap();
        wait_for(
            &tab,
            &format!("{path_list}.at(-1) === {js_label}"),
            &format!("step {} in the path", n + 1),
        );
        // The step's transcript line (without the server's answer) heads the current state,
        // and the chart draws it (the arrow carries the wire line, without `C1: `).
        let line = label.split("  [").next().unwrap();
        let wire = line.split_once(": ").unwrap().1;
        let js_line = serde_json::to_string(line).unwrap();
        let js_wire = serde_json::to_string(wire).unwrap();
        wait_for(
            &tab,
            &format!("{current}.startsWith({js_line}) || {current}.includes('\\n' + {js_line})"),
            &format!("step {}'s line in the current state", n + 1),
        );
        wait_for(
            &tab,
            &format!("{chart} !== null && {chart}.textContent.includes({js_wire})"),
            &format!("step {}'s arrow in the chart", n + 1),
        );
    }
    // Arrays come back as object handles: ask for their JSON text.
    let path = eval(&tab, &format!("JSON.stringify({path_list})"));
    let path: Vec<String> = serde_json::from_str(path.as_str().unwrap()).unwrap();
    assert_eq!(path[..2], ["Pre-init", "Init 0"]);
    assert_eq!(&path[2..], ERRATUM_STEPS);
    let state = eval(&tab, current);
    let state = state.as_str().unwrap();
    assert!(state.contains("--   VIOLATED: views-converge\n"), "{state}");
    assert!(state.contains("--   C2 cache: UID 1 (), UID 2 (); resync point 3; selected\n"));
    let chart_text = eval(&tab, &format!("{chart}.textContent"));
    assert!(
        chart_text
            .as_str()
            .unwrap()
            .contains("violated here: views-converge")
    );

    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"));
    // Cargo's own temporary folder for integration tests, inside whatever target folder
    // the run uses (CARGO_TARGET_DIR moves it).
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("explorer-erratum-1808.png");
    std::fs::write(&out, png).unwrap();
    eprintln!("screenshot: {}", out.display());
}
