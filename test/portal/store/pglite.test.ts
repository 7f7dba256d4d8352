import { openDb } from '../../../portal/store/db.ts';
import { storeSuite } from './store-suite.ts';

storeSuite(
  'PGlite',
  () => openDb({}),
  (db) => db.close(),
).run();
