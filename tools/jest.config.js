module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'tools',
  rootDir: __dirname,
  // cluster tests start many processes each: one file at a time keeps 2 cores from thrashing
  maxWorkers: 1,
};
