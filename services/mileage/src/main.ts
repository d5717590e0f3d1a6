// A mileage process of the distributed runtime (environment: packages/service/src/process.ts), plus
// MILEAGE_RATE_PERCENT: miles earned as a percentage of the fare paid (default 10).
import { runServiceProcess } from '@airline/service';
import { defaultMileageConfig, mileageService, rateFromPercent } from './index.js';

const percent = process.env.MILEAGE_RATE_PERCENT;
const rateBasisPoints = percent ? rateFromPercent(Number(percent)) : defaultMileageConfig.rateBasisPoints;

await runServiceProcess(mileageService, { rateBasisPoints }, { port: 8086 });
