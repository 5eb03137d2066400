import { ClusterClient } from '../cluster/cluster-client';
import { Consumer } from './consumer';

// Option checks happen in the constructor, before any connection: no broker is needed.
describe('consumer options', () => {
  const client = new ClusterClient({ brokers: ['127.0.0.1:1'] });

  it('rejects an assignor it does not know, naming the ones it does', () => {
    expect(() => new Consumer(client, { groupId: 'g', assignors: ['sticky' as 'range'] })).toThrow(
      new RangeError('unknown assignor "sticky"; known: range, roundrobin, cooperative-sticky'),
    );
    expect(() => new Consumer(client, { groupId: 'g', assignors: [] })).toThrow(RangeError);
  });

  it('accepts cooperative-sticky alone or beside the eager assignors', () => {
    expect(() => new Consumer(client, { groupId: 'g', assignors: ['cooperative-sticky'] })).not.toThrow();
    expect(() => new Consumer(client, { groupId: 'g', assignors: ['cooperative-sticky', 'range'] })).not.toThrow();
  });

  it('subscribe() needs a group', () => {
    expect(() => new Consumer(client).subscribe(['t'])).toThrow('subscribe() needs a groupId');
  });
});
