/**
 * The public hosts the CTK's network scenarios call, and the host our own scenarios use for a stand-in
 * that fails on demand. Shared by the world (which rewrites them to the loopback stand-ins) and by the
 * summary formatter (which reports the scenarios naming them apart).
 */
const CTK_HOSTS = ['petstore.swagger.io', 'httpbin.org'];
const OWN_HOSTS = ['flaky.stand-in.test'];
const CTK_NETWORK = new RegExp(
  `https?://(${CTK_HOSTS.map((h) => h.replace(/\./g, '\\.')).join('|')})(?=[/:?#"'\\s]|$)`,
);

module.exports = { CTK_HOSTS, OWN_HOSTS, CTK_NETWORK };
