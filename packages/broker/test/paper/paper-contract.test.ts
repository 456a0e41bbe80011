import { ManualClock } from '@books/core';
import { InMemoryPaperBrokerStore } from '../../src';
import { describeBrokerContract } from '../support/broker-contract';
import { contractCalendar, contractPaperBroker } from '../support/paper';
import { CONTRACT_NOW } from '../support/world';

describeBrokerContract('paper broker, in-memory store', async () => ({
  broker: contractPaperBroker(new InMemoryPaperBrokerStore(), new ManualClock(CONTRACT_NOW)),
  close: async () => {},
}));

describeBrokerContract('paper broker, in-memory store, its calendar read on first need', async () => ({
  broker: contractPaperBroker(new InMemoryPaperBrokerStore(), new ManualClock(CONTRACT_NOW), {
    calendar: async () => contractCalendar(),
  }),
  close: async () => {},
}));
