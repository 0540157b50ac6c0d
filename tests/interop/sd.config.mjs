// Style Dictionary 4.4 (pinned in package-lock.json) building SyncPilot's DTCG output, for
// interop.style_dictionary (style_dictionary.sh). The work directory comes from the environment:
// tokens are read from $SYNCPILOT_SD_WORK/tokens, outputs go to $SYNCPILOT_SD_WORK/build.
// Warnings are errors and broken references throw, so anything Style Dictionary finds odd in the
// file fails the test instead of scrolling by.
const work = process.env.SYNCPILOT_SD_WORK;
if (!work) {
    throw new Error('SYNCPILOT_SD_WORK is not set (style_dictionary.sh sets it)');
}

export default {
    source: [`${work}/tokens/**/*.tokens.json`],
    log: {
        warnings: 'error',
        verbosity: 'verbose',
        errors: { brokenReferences: 'throw' },
    },
    platforms: {
        css: {
            transformGroup: 'css',
            prefix: 'sp',
            buildPath: `${work}/build/css/`,
            files: [{ destination: 'variables.css', format: 'css/variables', options: { outputReferences: true } }],
        },
        json: {
            transformGroup: 'js',
            buildPath: `${work}/build/json/`,
            files: [{ destination: 'tokens.json', format: 'json/flat' }],
        },
    },
};
