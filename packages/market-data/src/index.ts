export { type Bar, BarFileError, type BarStore, barsUntil, fileStemOf, symbolOfStem } from './bar-store';
export { CSV_HEADER, CsvBarStore, parseBarsCsv } from './csv-bar-store';
