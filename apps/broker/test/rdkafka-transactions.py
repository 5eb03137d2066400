"""librdkafka (confluent-kafka-python) as a transactional client of the broker, driven by
transactions-librdkafka.spec.ts: commits, aborts, and one consume-transform-produce step whose
input offsets are committed by the transaction (send_offsets_to_transaction). Prints one JSON
line with what it did; exits non-zero on any Kafka error."""
import json
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

bootstrap, out_topic, in_topic, group = sys.argv[1:5]
TIMEOUT_S = 30

producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": "rdkafka-tx", "transaction.timeout.ms": 60000})
producer.init_transactions(TIMEOUT_S)

producer.begin_transaction()
for i in range(5):
    producer.produce(out_topic, value=f"rd-commit-{i}".encode(), key=f"k{i}".encode())
producer.commit_transaction(TIMEOUT_S)

producer.begin_transaction()
for i in range(3):
    producer.produce(out_topic, value=f"rd-abort-{i}".encode(), key=f"k{i}".encode())
producer.flush(TIMEOUT_S)
producer.abort_transaction(TIMEOUT_S)

# consume-transform-produce: the input's offsets go out with the transaction
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False, "auto.offset.reset": "earliest"})
consumer.subscribe([in_topic])
consumed = []
for _ in range(300):
    if len(consumed) >= 4:
        break
    message = consumer.poll(0.1)
    if message is None:
        continue
    if message.error():
        raise KafkaException(message.error())
    consumed.append(message)
producer.begin_transaction()
for message in consumed:
    producer.produce(out_topic, value=b"rd-transformed-" + message.value())
positions = consumer.position([TopicPartition(in_topic, 0)])
producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), TIMEOUT_S)
producer.commit_transaction(TIMEOUT_S)
consumer.close()

print(json.dumps({"consumed": len(consumed), "committedOffset": positions[0].offset}))
