//! schema.org data for a page's `<script type="application/ld+json">`.

/// `value` as JSON safe to put inside a script element: `<`, `>` and `&` are written as
/// `\u003c`, `\u003e` and `\u0026`, which JSON reads the same.
pub fn script_json(value: &serde_json::Value) -> String {
    // why: `</script>` or `<!--` inside a string must not end the script element.
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::script_json;

    #[test]
    fn markup_in_a_string_cannot_end_the_script_and_reads_back_the_same() {
        let value = serde_json::json!({"name": "</script><b>x & <!--"});
        let text = script_json(&value);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
