export * from './daily-run';
