/**
 * Passwords of 12 characters or more that appear near the top of breached-password lists, plus
 * carecoord's own name (NIST SP 800-63B §5.1.1.2: refuse commonly used, expected or compromised
 * values and context-specific words). Shorter ones are already refused by the length rule.
 * Compared lower-cased; a short list, not a breach corpus.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '123456789012', '1234567890123', '12345678901234', '123456789123', '123123123123', '111111111111',
  '000000000000', '121212121212', '123412341234', '987654321098', '098765432109', '112233445566',
  'password1234', 'password12345', 'password123!', 'passwordpassword', 'password1!password', 'p@ssw0rd1234',
  'qwertyuiop12', 'qwertyuiop123', 'qwertyuiopas', 'qwerty123456', '1qaz2wsx3edc', '1q2w3e4r5t6y',
  'q1w2e3r4t5y6', 'asdfghjkl123', 'zxcvbnm12345', 'abc123abc123', 'abcdefghijkl', 'iloveyou1234',
  'letmein12345', 'welcome12345', 'welcome123456', 'changeme1234', 'changemenow!', 'administrator',
  'administrator1', 'admin1234567', 'adminadmin12', 'trustno1trustno1', 'sunshine1234', 'football1234',
  'baseball1234', 'princess1234', 'superman1234', 'starwars1234', 'monkey123456', 'dragon123456',
  'master123456', 'whatever1234', 'hospital1234', 'hospital2024', 'hospital2025', 'hospital2026',
  'healthcare123', 'healthcare1234', 'nurse1234567', 'doctor123456', 'carecoord123', 'carecoord1234',
  'carecoordinator', 'carecoordination', 'summer2025!!', 'winter2025!!', 'spring2026!!', 'autumn2026!!',
]);
