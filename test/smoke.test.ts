import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultAnswers, validateAnswers } from '../src/core/answers.js';

test('default answers validate', () => {
  const a = defaultAnswers('My Firmware', [{ name: 'esp32dev', board: 'esp32dev', platform: 'espressif32' }]);
  assert.is(validateAnswers(a).projectName, 'my-firmware');
});

test.run();
