import type { Scenario } from './support.js';
import cancelledAdmit from './cancelled-admit.js';
import cancelledReadmit from './cancelled-readmit.js';
import criticalPotassium from './critical-potassium.js';
import duplicateMessage from './duplicate-message.js';
import readmission12d from './readmission-12d.js';
import readmission45d from './readmission-45d.js';
import vacantCoordinator from './vacant-coordinator.js';

/** Every scenario scenarios.test.ts runs. */
export const SCENARIOS: Scenario[] = [readmission12d, readmission45d, cancelledAdmit, cancelledReadmit, criticalPotassium, duplicateMessage, vacantCoordinator];
