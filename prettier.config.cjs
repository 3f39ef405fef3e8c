/** @type {import('prettier').Config} */
// OCA's 18.0 settings (oca-addons-repo-template); the plugin is found through
// NODE_PATH, which scripts/precommit-tool sets to the project's node folder.
const config = {
    plugins: [require.resolve("@prettier/plugin-xml")],
    bracketSpacing: false,
    printWidth: 88,
    proseWrap: "always",
    semi: true,
    trailingComma: "es5",
    xmlWhitespaceSensitivity: "preserve",
};

module.exports = config;
