//! The two XML namespaces of eSCL, and reading elements by local name within them.

use roxmltree::Node;

/// The eSCL namespace (`scan:`).
pub(crate) const SCAN: &str = "http://schemas.hp.com/imaging/escl/2011/05/03";
/// The PWG semantic model namespace (`pwg:`).
pub(crate) const PWG: &str = "http://www.pwg.org/schemas/2010/12/sm";

/// Whether `node` is the element `name` of either eSCL namespace (scanners disagree on which of
/// the two some elements belong to, so both are accepted).
pub(crate) fn is(node: Node<'_, '_>, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && matches!(node.tag_name().namespace(), Some(SCAN | PWG))
}

/// The first child element `name`.
pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, name))
}

/// The first descendant element `name` (the node itself included).
pub(crate) fn find<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.descendants().find(|c| is(*c, name))
}

/// Every descendant element `name`.
pub(crate) fn all<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.descendants().filter(move |c| is(*c, name))
}

/// The trimmed text of the first child element `name`.
pub(crate) fn text<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(node, name).and_then(|c| c.text()).map(str::trim)
}

/// The number in the first child element `name`.
pub(crate) fn number(node: Node<'_, '_>, name: &str) -> Option<u32> {
    text(node, name).and_then(|t| t.parse().ok())
}
