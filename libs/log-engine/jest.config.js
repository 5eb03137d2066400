module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'log-engine',
  rootDir: __dirname,
};
