import { bind, verb } from '../define.js';

export const specs = {
  doctor: verb({
    summary: 'check the configuration, database, ticket, tokens, accounts, sends and inbox',
    notes: `Each check is ok, warn or fail (skip when what it needs is broken), with advice for each that is not
ok. Exit 1 when any check fails, 0 otherwise (warnings too), so that a monitor can run it; --json for
machines. Configuration is reported by variable name and source only, never a value.`,
    examples: ['wxplat doctor', 'wxplat doctor --json'],
    learnMore: 'the-platform-and-its-callbacks',
  }),
};

export const tree = bind('doctor', specs.doctor, () => import('./doctor.js'));
