// GENERATED FILE - do not edit by hand.
// Compact declarations of Apache Kafka's protocol message schemas (Apache License 2.0, from
// apache/kafka clients/src/main/resources/common/message/*.json), reduced to what the codec needs.
// Regenerate from the repo root with:
//   node -r ./tools/scripts/register.js tools/protocol-gen/generate.ts /path/to/kafka-protocol/messages
import type { MessageDeclaration } from './schema';

export const MESSAGE_DECLARATIONS: readonly MessageDeclaration[] = [
  {
    name: "RequestHeader", type: "header", validVersions: "0-2", flexibleVersions: "2+",
    fields: [
      { name: "RequestApiKey", type: "int16", versions: "0+" },
      { name: "RequestApiVersion", type: "int16", versions: "0+" },
      { name: "CorrelationId", type: "int32", versions: "0+" },
      { name: "ClientId", type: "string", versions: "1+", nullableVersions: "1+", ignorable: true, flexibleVersions: "none" },
    ],
  },
  {
    name: "ResponseHeader", type: "header", validVersions: "0-1", flexibleVersions: "1+",
    fields: [
      { name: "CorrelationId", type: "int32", versions: "0+" },
    ],
  },
  {
    name: "ProduceRequest", type: "request", validVersions: "0-11", flexibleVersions: "9+", apiKey: 0, deprecatedVersions: "0-6",
    fields: [
      { name: "TransactionalId", type: "string", versions: "3+", nullableVersions: "3+", default: "null" },
      { name: "Acks", type: "int16", versions: "0+" },
      { name: "TimeoutMs", type: "int32", versions: "0+" },
      { name: "TopicData", type: "[]TopicProduceData", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "PartitionData", type: "[]PartitionProduceData", versions: "0+", fields: [
          { name: "Index", type: "int32", versions: "0+" },
          { name: "Records", type: "records", versions: "0+", nullableVersions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "ProduceResponse", type: "response", validVersions: "0-11", flexibleVersions: "9+", apiKey: 0,
    fields: [
      { name: "Responses", type: "[]TopicProduceResponse", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "PartitionResponses", type: "[]PartitionProduceResponse", versions: "0+", fields: [
          { name: "Index", type: "int32", versions: "0+" },
          { name: "ErrorCode", type: "int16", versions: "0+" },
          { name: "BaseOffset", type: "int64", versions: "0+" },
          { name: "LogAppendTimeMs", type: "int64", versions: "2+", default: "-1", ignorable: true },
          { name: "LogStartOffset", type: "int64", versions: "5+", default: "-1", ignorable: true },
          { name: "RecordErrors", type: "[]BatchIndexAndErrorMessage", versions: "8+", ignorable: true, fields: [
            { name: "BatchIndex", type: "int32", versions: "8+" },
            { name: "BatchIndexErrorMessage", type: "string", versions: "8+", nullableVersions: "8+", default: "null" },
          ] },
          { name: "ErrorMessage", type: "string", versions: "8+", nullableVersions: "8+", default: "null", ignorable: true },
          { name: "CurrentLeader", type: "LeaderIdAndEpoch", versions: "10+", tag: 0, taggedVersions: "10+", fields: [
            { name: "LeaderId", type: "int32", versions: "10+", default: "-1" },
            { name: "LeaderEpoch", type: "int32", versions: "10+", default: "-1" },
          ] },
        ] },
      ] },
      { name: "ThrottleTimeMs", type: "int32", versions: "1+", default: "0", ignorable: true },
      { name: "NodeEndpoints", type: "[]NodeEndpoint", versions: "10+", tag: 0, taggedVersions: "10+", fields: [
        { name: "NodeId", type: "int32", versions: "10+" },
        { name: "Host", type: "string", versions: "10+" },
        { name: "Port", type: "int32", versions: "10+" },
        { name: "Rack", type: "string", versions: "10+", nullableVersions: "10+", default: "null" },
      ] },
    ],
  },
  {
    name: "FetchRequest", type: "request", validVersions: "0-17", flexibleVersions: "12+", apiKey: 1, deprecatedVersions: "0-3",
    fields: [
      { name: "ClusterId", type: "string", versions: "12+", nullableVersions: "12+", default: "null", ignorable: true, tag: 0, taggedVersions: "12+" },
      { name: "ReplicaId", type: "int32", versions: "0-14", default: "-1" },
      { name: "ReplicaState", type: "ReplicaState", versions: "15+", tag: 1, taggedVersions: "15+", fields: [
        { name: "ReplicaId", type: "int32", versions: "15+", default: "-1" },
        { name: "ReplicaEpoch", type: "int64", versions: "15+", default: "-1" },
      ] },
      { name: "MaxWaitMs", type: "int32", versions: "0+" },
      { name: "MinBytes", type: "int32", versions: "0+" },
      { name: "MaxBytes", type: "int32", versions: "3+", default: "0x7fffffff", ignorable: true },
      { name: "IsolationLevel", type: "int8", versions: "4+", default: "0", ignorable: true },
      { name: "SessionId", type: "int32", versions: "7+", default: "0", ignorable: true },
      { name: "SessionEpoch", type: "int32", versions: "7+", default: "-1", ignorable: true },
      { name: "Topics", type: "[]FetchTopic", versions: "0+", fields: [
        { name: "Topic", type: "string", versions: "0-12", ignorable: true },
        { name: "TopicId", type: "uuid", versions: "13+", ignorable: true },
        { name: "Partitions", type: "[]FetchPartition", versions: "0+", fields: [
          { name: "Partition", type: "int32", versions: "0+" },
          { name: "CurrentLeaderEpoch", type: "int32", versions: "9+", default: "-1", ignorable: true },
          { name: "FetchOffset", type: "int64", versions: "0+" },
          { name: "LastFetchedEpoch", type: "int32", versions: "12+", default: "-1" },
          { name: "LogStartOffset", type: "int64", versions: "5+", default: "-1", ignorable: true },
          { name: "PartitionMaxBytes", type: "int32", versions: "0+" },
          { name: "ReplicaDirectoryId", type: "uuid", versions: "17+", ignorable: true, tag: 0, taggedVersions: "17+" },
        ] },
      ] },
      { name: "ForgottenTopicsData", type: "[]ForgottenTopic", versions: "7+", fields: [
        { name: "Topic", type: "string", versions: "7-12", ignorable: true },
        { name: "TopicId", type: "uuid", versions: "13+", ignorable: true },
        { name: "Partitions", type: "[]int32", versions: "7+" },
      ] },
      { name: "RackId", type: "string", versions: "11+", default: "", ignorable: true },
    ],
  },
  {
    name: "FetchResponse", type: "response", validVersions: "0-17", flexibleVersions: "12+", apiKey: 1,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "1+", ignorable: true },
      { name: "ErrorCode", type: "int16", versions: "7+", ignorable: true },
      { name: "SessionId", type: "int32", versions: "7+", default: "0" },
      { name: "Responses", type: "[]FetchableTopicResponse", versions: "0+", fields: [
        { name: "Topic", type: "string", versions: "0-12", ignorable: true },
        { name: "TopicId", type: "uuid", versions: "13+", ignorable: true },
        { name: "Partitions", type: "[]PartitionData", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "ErrorCode", type: "int16", versions: "0+" },
          { name: "HighWatermark", type: "int64", versions: "0+" },
          { name: "LastStableOffset", type: "int64", versions: "4+", default: "-1", ignorable: true },
          { name: "LogStartOffset", type: "int64", versions: "5+", default: "-1", ignorable: true },
          { name: "DivergingEpoch", type: "EpochEndOffset", versions: "12+", tag: 0, taggedVersions: "12+", fields: [
            { name: "Epoch", type: "int32", versions: "12+", default: "-1" },
            { name: "EndOffset", type: "int64", versions: "12+", default: "-1" },
          ] },
          { name: "CurrentLeader", type: "LeaderIdAndEpoch", versions: "12+", tag: 1, taggedVersions: "12+", fields: [
            { name: "LeaderId", type: "int32", versions: "12+", default: "-1" },
            { name: "LeaderEpoch", type: "int32", versions: "12+", default: "-1" },
          ] },
          { name: "SnapshotId", type: "SnapshotId", versions: "12+", tag: 2, taggedVersions: "12+", fields: [
            { name: "EndOffset", type: "int64", versions: "0+", default: "-1" },
            { name: "Epoch", type: "int32", versions: "0+", default: "-1" },
          ] },
          { name: "AbortedTransactions", type: "[]AbortedTransaction", versions: "4+", nullableVersions: "4+", ignorable: true, fields: [
            { name: "ProducerId", type: "int64", versions: "4+" },
            { name: "FirstOffset", type: "int64", versions: "4+" },
          ] },
          { name: "PreferredReadReplica", type: "int32", versions: "11+", default: "-1" },
          { name: "Records", type: "records", versions: "0+", nullableVersions: "0+" },
        ] },
      ] },
      { name: "NodeEndpoints", type: "[]NodeEndpoint", versions: "16+", tag: 0, taggedVersions: "16+", fields: [
        { name: "NodeId", type: "int32", versions: "16+" },
        { name: "Host", type: "string", versions: "16+" },
        { name: "Port", type: "int32", versions: "16+" },
        { name: "Rack", type: "string", versions: "16+", nullableVersions: "16+", default: "null" },
      ] },
    ],
  },
  {
    name: "ListOffsetsRequest", type: "request", validVersions: "0-10", flexibleVersions: "6+", apiKey: 2, deprecatedVersions: "0",
    fields: [
      { name: "ReplicaId", type: "int32", versions: "0+" },
      { name: "IsolationLevel", type: "int8", versions: "2+" },
      { name: "Topics", type: "[]ListOffsetsTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]ListOffsetsPartition", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "CurrentLeaderEpoch", type: "int32", versions: "4+", default: "-1", ignorable: true },
          { name: "Timestamp", type: "int64", versions: "0+" },
          { name: "MaxNumOffsets", type: "int32", versions: "0", default: "1" },
        ] },
      ] },
      { name: "TimeoutMs", type: "int32", versions: "10+", ignorable: true },
    ],
  },
  {
    name: "ListOffsetsResponse", type: "response", validVersions: "0-10", flexibleVersions: "6+", apiKey: 2,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "2+", ignorable: true },
      { name: "Topics", type: "[]ListOffsetsTopicResponse", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]ListOffsetsPartitionResponse", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "ErrorCode", type: "int16", versions: "0+" },
          { name: "OldStyleOffsets", type: "[]int64", versions: "0" },
          { name: "Timestamp", type: "int64", versions: "1+", default: "-1" },
          { name: "Offset", type: "int64", versions: "1+", default: "-1" },
          { name: "LeaderEpoch", type: "int32", versions: "4+", default: "-1" },
        ] },
      ] },
    ],
  },
  {
    name: "MetadataRequest", type: "request", validVersions: "0-12", flexibleVersions: "9+", apiKey: 3, deprecatedVersions: "0-3",
    fields: [
      { name: "Topics", type: "[]MetadataRequestTopic", versions: "0+", nullableVersions: "1+", fields: [
        { name: "TopicId", type: "uuid", versions: "10+", ignorable: true },
        { name: "Name", type: "string", versions: "0+", nullableVersions: "10+" },
      ] },
      { name: "AllowAutoTopicCreation", type: "bool", versions: "4+", default: "true" },
      { name: "IncludeClusterAuthorizedOperations", type: "bool", versions: "8-10" },
      { name: "IncludeTopicAuthorizedOperations", type: "bool", versions: "8+" },
    ],
  },
  {
    name: "MetadataResponse", type: "response", validVersions: "0-12", flexibleVersions: "9+", apiKey: 3,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "3+", ignorable: true },
      { name: "Brokers", type: "[]MetadataResponseBroker", versions: "0+", fields: [
        { name: "NodeId", type: "int32", versions: "0+" },
        { name: "Host", type: "string", versions: "0+" },
        { name: "Port", type: "int32", versions: "0+" },
        { name: "Rack", type: "string", versions: "1+", nullableVersions: "1+", default: "null", ignorable: true },
      ] },
      { name: "ClusterId", type: "string", versions: "2+", nullableVersions: "2+", default: "null", ignorable: true },
      { name: "ControllerId", type: "int32", versions: "1+", default: "-1", ignorable: true },
      { name: "Topics", type: "[]MetadataResponseTopic", versions: "0+", fields: [
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "Name", type: "string", versions: "0+", nullableVersions: "12+" },
        { name: "TopicId", type: "uuid", versions: "10+", ignorable: true },
        { name: "IsInternal", type: "bool", versions: "1+", default: "false", ignorable: true },
        { name: "Partitions", type: "[]MetadataResponsePartition", versions: "0+", fields: [
          { name: "ErrorCode", type: "int16", versions: "0+" },
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "LeaderId", type: "int32", versions: "0+" },
          { name: "LeaderEpoch", type: "int32", versions: "7+", default: "-1", ignorable: true },
          { name: "ReplicaNodes", type: "[]int32", versions: "0+" },
          { name: "IsrNodes", type: "[]int32", versions: "0+" },
          { name: "OfflineReplicas", type: "[]int32", versions: "5+", ignorable: true },
        ] },
        { name: "TopicAuthorizedOperations", type: "int32", versions: "8+", default: "-2147483648" },
      ] },
      { name: "ClusterAuthorizedOperations", type: "int32", versions: "8-10", default: "-2147483648" },
    ],
  },
  {
    name: "OffsetCommitRequest", type: "request", validVersions: "0-9", flexibleVersions: "8+", apiKey: 8, deprecatedVersions: "0-1",
    fields: [
      { name: "GroupId", type: "string", versions: "0+" },
      { name: "GenerationIdOrMemberEpoch", type: "int32", versions: "1+", default: "-1", ignorable: true },
      { name: "MemberId", type: "string", versions: "1+", ignorable: true },
      { name: "GroupInstanceId", type: "string", versions: "7+", nullableVersions: "7+", default: "null" },
      { name: "RetentionTimeMs", type: "int64", versions: "2-4", default: "-1", ignorable: true },
      { name: "Topics", type: "[]OffsetCommitRequestTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]OffsetCommitRequestPartition", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "CommittedOffset", type: "int64", versions: "0+" },
          { name: "CommittedLeaderEpoch", type: "int32", versions: "6+", default: "-1", ignorable: true },
          { name: "CommitTimestamp", type: "int64", versions: "1", default: "-1" },
          { name: "CommittedMetadata", type: "string", versions: "0+", nullableVersions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "OffsetCommitResponse", type: "response", validVersions: "0-9", flexibleVersions: "8+", apiKey: 8,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "3+", ignorable: true },
      { name: "Topics", type: "[]OffsetCommitResponseTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]OffsetCommitResponsePartition", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "ErrorCode", type: "int16", versions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "OffsetFetchRequest", type: "request", validVersions: "0-9", flexibleVersions: "6+", apiKey: 9, deprecatedVersions: "0",
    fields: [
      { name: "GroupId", type: "string", versions: "0-7" },
      { name: "Topics", type: "[]OffsetFetchRequestTopic", versions: "0-7", nullableVersions: "2-7", fields: [
        { name: "Name", type: "string", versions: "0-7" },
        { name: "PartitionIndexes", type: "[]int32", versions: "0-7" },
      ] },
      { name: "Groups", type: "[]OffsetFetchRequestGroup", versions: "8+", fields: [
        { name: "GroupId", type: "string", versions: "8+" },
        { name: "MemberId", type: "string", versions: "9+", nullableVersions: "9+", default: "null", ignorable: true },
        { name: "MemberEpoch", type: "int32", versions: "9+", default: "-1", ignorable: true },
        { name: "Topics", type: "[]OffsetFetchRequestTopics", versions: "8+", nullableVersions: "8+", fields: [
          { name: "Name", type: "string", versions: "8+" },
          { name: "PartitionIndexes", type: "[]int32", versions: "8+" },
        ] },
      ] },
      { name: "RequireStable", type: "bool", versions: "7+", default: "false" },
    ],
  },
  {
    name: "OffsetFetchResponse", type: "response", validVersions: "0-9", flexibleVersions: "6+", apiKey: 9,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "3+", ignorable: true },
      { name: "Topics", type: "[]OffsetFetchResponseTopic", versions: "0-7", fields: [
        { name: "Name", type: "string", versions: "0-7" },
        { name: "Partitions", type: "[]OffsetFetchResponsePartition", versions: "0-7", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0-7" },
          { name: "CommittedOffset", type: "int64", versions: "0-7" },
          { name: "CommittedLeaderEpoch", type: "int32", versions: "5-7", default: "-1", ignorable: true },
          { name: "Metadata", type: "string", versions: "0-7", nullableVersions: "0-7" },
          { name: "ErrorCode", type: "int16", versions: "0-7" },
        ] },
      ] },
      { name: "ErrorCode", type: "int16", versions: "2-7", default: "0", ignorable: true },
      { name: "Groups", type: "[]OffsetFetchResponseGroup", versions: "8+", fields: [
        { name: "GroupId", type: "string", versions: "8+" },
        { name: "Topics", type: "[]OffsetFetchResponseTopics", versions: "8+", fields: [
          { name: "Name", type: "string", versions: "8+" },
          { name: "Partitions", type: "[]OffsetFetchResponsePartitions", versions: "8+", fields: [
            { name: "PartitionIndex", type: "int32", versions: "8+" },
            { name: "CommittedOffset", type: "int64", versions: "8+" },
            { name: "CommittedLeaderEpoch", type: "int32", versions: "8+", default: "-1", ignorable: true },
            { name: "Metadata", type: "string", versions: "8+", nullableVersions: "8+" },
            { name: "ErrorCode", type: "int16", versions: "8+" },
          ] },
        ] },
        { name: "ErrorCode", type: "int16", versions: "8+", default: "0" },
      ] },
    ],
  },
  {
    name: "FindCoordinatorRequest", type: "request", validVersions: "0-6", flexibleVersions: "3+", apiKey: 10, deprecatedVersions: "0",
    fields: [
      { name: "Key", type: "string", versions: "0-3" },
      { name: "KeyType", type: "int8", versions: "1+", default: "0" },
      { name: "CoordinatorKeys", type: "[]string", versions: "4+" },
    ],
  },
  {
    name: "FindCoordinatorResponse", type: "response", validVersions: "0-6", flexibleVersions: "3+", apiKey: 10,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "1+", ignorable: true },
      { name: "ErrorCode", type: "int16", versions: "0-3" },
      { name: "ErrorMessage", type: "string", versions: "1-3", nullableVersions: "1-3", ignorable: true },
      { name: "NodeId", type: "int32", versions: "0-3" },
      { name: "Host", type: "string", versions: "0-3" },
      { name: "Port", type: "int32", versions: "0-3" },
      { name: "Coordinators", type: "[]Coordinator", versions: "4+", fields: [
        { name: "Key", type: "string", versions: "4+" },
        { name: "NodeId", type: "int32", versions: "4+" },
        { name: "Host", type: "string", versions: "4+" },
        { name: "Port", type: "int32", versions: "4+" },
        { name: "ErrorCode", type: "int16", versions: "4+" },
        { name: "ErrorMessage", type: "string", versions: "4+", nullableVersions: "4+", ignorable: true },
      ] },
    ],
  },
  {
    name: "JoinGroupRequest", type: "request", validVersions: "0-9", flexibleVersions: "6+", apiKey: 11, deprecatedVersions: "0-1",
    fields: [
      { name: "GroupId", type: "string", versions: "0+" },
      { name: "SessionTimeoutMs", type: "int32", versions: "0+" },
      { name: "RebalanceTimeoutMs", type: "int32", versions: "1+", default: "-1", ignorable: true },
      { name: "MemberId", type: "string", versions: "0+" },
      { name: "GroupInstanceId", type: "string", versions: "5+", nullableVersions: "5+", default: "null" },
      { name: "ProtocolType", type: "string", versions: "0+" },
      { name: "Protocols", type: "[]JoinGroupRequestProtocol", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Metadata", type: "bytes", versions: "0+" },
      ] },
      { name: "Reason", type: "string", versions: "8+", nullableVersions: "8+", default: "null", ignorable: true },
    ],
  },
  {
    name: "JoinGroupResponse", type: "response", validVersions: "0-9", flexibleVersions: "6+", apiKey: 11,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "2+", ignorable: true },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "GenerationId", type: "int32", versions: "0+", default: "-1" },
      { name: "ProtocolType", type: "string", versions: "7+", nullableVersions: "7+", default: "null", ignorable: true },
      { name: "ProtocolName", type: "string", versions: "0+", nullableVersions: "7+" },
      { name: "Leader", type: "string", versions: "0+" },
      { name: "SkipAssignment", type: "bool", versions: "9+", default: "false" },
      { name: "MemberId", type: "string", versions: "0+" },
      { name: "Members", type: "[]JoinGroupResponseMember", versions: "0+", fields: [
        { name: "MemberId", type: "string", versions: "0+" },
        { name: "GroupInstanceId", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
        { name: "Metadata", type: "bytes", versions: "0+" },
      ] },
    ],
  },
  {
    name: "HeartbeatRequest", type: "request", validVersions: "0-4", flexibleVersions: "4+", apiKey: 12,
    fields: [
      { name: "GroupId", type: "string", versions: "0+" },
      { name: "GenerationId", type: "int32", versions: "0+" },
      { name: "MemberId", type: "string", versions: "0+" },
      { name: "GroupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: "null" },
    ],
  },
  {
    name: "HeartbeatResponse", type: "response", validVersions: "0-4", flexibleVersions: "4+", apiKey: 12,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "1+", ignorable: true },
      { name: "ErrorCode", type: "int16", versions: "0+" },
    ],
  },
  {
    name: "LeaveGroupRequest", type: "request", validVersions: "0-5", flexibleVersions: "4+", apiKey: 13,
    fields: [
      { name: "GroupId", type: "string", versions: "0+" },
      { name: "MemberId", type: "string", versions: "0-2" },
      { name: "Members", type: "[]MemberIdentity", versions: "3+", fields: [
        { name: "MemberId", type: "string", versions: "3+" },
        { name: "GroupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: "null" },
        { name: "Reason", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
      ] },
    ],
  },
  {
    name: "LeaveGroupResponse", type: "response", validVersions: "0-5", flexibleVersions: "4+", apiKey: 13,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "1+", ignorable: true },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "Members", type: "[]MemberResponse", versions: "3+", fields: [
        { name: "MemberId", type: "string", versions: "3+" },
        { name: "GroupInstanceId", type: "string", versions: "3+", nullableVersions: "3+" },
        { name: "ErrorCode", type: "int16", versions: "3+" },
      ] },
    ],
  },
  {
    name: "SyncGroupRequest", type: "request", validVersions: "0-5", flexibleVersions: "4+", apiKey: 14,
    fields: [
      { name: "GroupId", type: "string", versions: "0+" },
      { name: "GenerationId", type: "int32", versions: "0+" },
      { name: "MemberId", type: "string", versions: "0+" },
      { name: "GroupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: "null" },
      { name: "ProtocolType", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
      { name: "ProtocolName", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
      { name: "Assignments", type: "[]SyncGroupRequestAssignment", versions: "0+", fields: [
        { name: "MemberId", type: "string", versions: "0+" },
        { name: "Assignment", type: "bytes", versions: "0+" },
      ] },
    ],
  },
  {
    name: "SyncGroupResponse", type: "response", validVersions: "0-5", flexibleVersions: "4+", apiKey: 14,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "1+", ignorable: true },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ProtocolType", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
      { name: "ProtocolName", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
      { name: "Assignment", type: "bytes", versions: "0+" },
    ],
  },
  {
    name: "DescribeGroupsRequest", type: "request", validVersions: "0-5", flexibleVersions: "5+", apiKey: 15,
    fields: [
      { name: "Groups", type: "[]string", versions: "0+" },
      { name: "IncludeAuthorizedOperations", type: "bool", versions: "3+" },
    ],
  },
  {
    name: "DescribeGroupsResponse", type: "response", validVersions: "0-5", flexibleVersions: "5+", apiKey: 15,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "1+", ignorable: true },
      { name: "Groups", type: "[]DescribedGroup", versions: "0+", fields: [
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "GroupId", type: "string", versions: "0+" },
        { name: "GroupState", type: "string", versions: "0+" },
        { name: "ProtocolType", type: "string", versions: "0+" },
        { name: "ProtocolData", type: "string", versions: "0+" },
        { name: "Members", type: "[]DescribedGroupMember", versions: "0+", fields: [
          { name: "MemberId", type: "string", versions: "0+" },
          { name: "GroupInstanceId", type: "string", versions: "4+", nullableVersions: "4+", default: "null", ignorable: true },
          { name: "ClientId", type: "string", versions: "0+" },
          { name: "ClientHost", type: "string", versions: "0+" },
          { name: "MemberMetadata", type: "bytes", versions: "0+" },
          { name: "MemberAssignment", type: "bytes", versions: "0+" },
        ] },
        { name: "AuthorizedOperations", type: "int32", versions: "3+", default: "-2147483648" },
      ] },
    ],
  },
  {
    name: "ListGroupsRequest", type: "request", validVersions: "0-5", flexibleVersions: "3+", apiKey: 16,
    fields: [
      { name: "StatesFilter", type: "[]string", versions: "4+" },
      { name: "TypesFilter", type: "[]string", versions: "5+" },
    ],
  },
  {
    name: "ListGroupsResponse", type: "response", validVersions: "0-5", flexibleVersions: "3+", apiKey: 16,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "1+", ignorable: true },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "Groups", type: "[]ListedGroup", versions: "0+", fields: [
        { name: "GroupId", type: "string", versions: "0+" },
        { name: "ProtocolType", type: "string", versions: "0+" },
        { name: "GroupState", type: "string", versions: "4+", ignorable: true },
        { name: "GroupType", type: "string", versions: "5+", ignorable: true },
      ] },
    ],
  },
  {
    name: "SaslHandshakeRequest", type: "request", validVersions: "0-1", flexibleVersions: "none", apiKey: 17, deprecatedVersions: "0",
    fields: [
      { name: "Mechanism", type: "string", versions: "0+" },
    ],
  },
  {
    name: "SaslHandshakeResponse", type: "response", validVersions: "0-1", flexibleVersions: "none", apiKey: 17,
    fields: [
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "Mechanisms", type: "[]string", versions: "0+" },
    ],
  },
  {
    name: "ApiVersionsRequest", type: "request", validVersions: "0-4", flexibleVersions: "3+", apiKey: 18,
    fields: [
      { name: "ClientSoftwareName", type: "string", versions: "3+", ignorable: true },
      { name: "ClientSoftwareVersion", type: "string", versions: "3+", ignorable: true },
    ],
  },
  {
    name: "ApiVersionsResponse", type: "response", validVersions: "0-4", flexibleVersions: "3+", apiKey: 18,
    fields: [
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ApiKeys", type: "[]ApiVersion", versions: "0+", fields: [
        { name: "ApiKey", type: "int16", versions: "0+" },
        { name: "MinVersion", type: "int16", versions: "0+" },
        { name: "MaxVersion", type: "int16", versions: "0+" },
      ] },
      { name: "ThrottleTimeMs", type: "int32", versions: "1+", ignorable: true },
      { name: "SupportedFeatures", type: "[]SupportedFeatureKey", versions: "3+", ignorable: true, tag: 0, taggedVersions: "3+", fields: [
        { name: "Name", type: "string", versions: "3+" },
        { name: "MinVersion", type: "int16", versions: "3+" },
        { name: "MaxVersion", type: "int16", versions: "3+" },
      ] },
      { name: "FinalizedFeaturesEpoch", type: "int64", versions: "3+", default: "-1", ignorable: true, tag: 1, taggedVersions: "3+" },
      { name: "FinalizedFeatures", type: "[]FinalizedFeatureKey", versions: "3+", ignorable: true, tag: 2, taggedVersions: "3+", fields: [
        { name: "Name", type: "string", versions: "3+" },
        { name: "MaxVersionLevel", type: "int16", versions: "3+" },
        { name: "MinVersionLevel", type: "int16", versions: "3+" },
      ] },
      { name: "ZkMigrationReady", type: "bool", versions: "3+", default: "false", ignorable: true, tag: 3, taggedVersions: "3+" },
    ],
  },
  {
    name: "CreateTopicsRequest", type: "request", validVersions: "0-7", flexibleVersions: "5+", apiKey: 19, deprecatedVersions: "0-1",
    fields: [
      { name: "Topics", type: "[]CreatableTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "NumPartitions", type: "int32", versions: "0+" },
        { name: "ReplicationFactor", type: "int16", versions: "0+" },
        { name: "Assignments", type: "[]CreatableReplicaAssignment", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "BrokerIds", type: "[]int32", versions: "0+" },
        ] },
        { name: "Configs", type: "[]CreatableTopicConfig", versions: "0+", fields: [
          { name: "Name", type: "string", versions: "0+" },
          { name: "Value", type: "string", versions: "0+", nullableVersions: "0+" },
        ] },
      ] },
      { name: "timeoutMs", type: "int32", versions: "0+", default: "60000" },
      { name: "validateOnly", type: "bool", versions: "1+", default: "false" },
    ],
  },
  {
    name: "CreateTopicsResponse", type: "response", validVersions: "0-7", flexibleVersions: "5+", apiKey: 19,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "2+", ignorable: true },
      { name: "Topics", type: "[]CreatableTopicResult", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "TopicId", type: "uuid", versions: "7+", ignorable: true },
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", type: "string", versions: "1+", nullableVersions: "0+", ignorable: true },
        { name: "TopicConfigErrorCode", type: "int16", versions: "5+", ignorable: true, tag: 0, taggedVersions: "5+" },
        { name: "NumPartitions", type: "int32", versions: "5+", default: "-1", ignorable: true },
        { name: "ReplicationFactor", type: "int16", versions: "5+", default: "-1", ignorable: true },
        { name: "Configs", type: "[]CreatableTopicConfigs", versions: "5+", nullableVersions: "5+", ignorable: true, fields: [
          { name: "Name", type: "string", versions: "5+" },
          { name: "Value", type: "string", versions: "5+", nullableVersions: "5+" },
          { name: "ReadOnly", type: "bool", versions: "5+" },
          { name: "ConfigSource", type: "int8", versions: "5+", default: "-1", ignorable: true },
          { name: "IsSensitive", type: "bool", versions: "5+" },
        ] },
      ] },
    ],
  },
  {
    name: "DeleteTopicsRequest", type: "request", validVersions: "0-6", flexibleVersions: "4+", apiKey: 20, deprecatedVersions: "0",
    fields: [
      { name: "Topics", type: "[]DeleteTopicState", versions: "6+", fields: [
        { name: "Name", type: "string", versions: "6+", nullableVersions: "6+", default: "null" },
        { name: "TopicId", type: "uuid", versions: "6+" },
      ] },
      { name: "TopicNames", type: "[]string", versions: "0-5", ignorable: true },
      { name: "TimeoutMs", type: "int32", versions: "0+" },
    ],
  },
  {
    name: "DeleteTopicsResponse", type: "response", validVersions: "0-6", flexibleVersions: "4+", apiKey: 20,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "1+", ignorable: true },
      { name: "Responses", type: "[]DeletableTopicResult", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+", nullableVersions: "6+" },
        { name: "TopicId", type: "uuid", versions: "6+", ignorable: true },
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
      ] },
    ],
  },
  {
    name: "DeleteRecordsRequest", type: "request", validVersions: "0-2", flexibleVersions: "2+", apiKey: 21,
    fields: [
      { name: "Topics", type: "[]DeleteRecordsTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]DeleteRecordsPartition", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "Offset", type: "int64", versions: "0+" },
        ] },
      ] },
      { name: "TimeoutMs", type: "int32", versions: "0+" },
    ],
  },
  {
    name: "DeleteRecordsResponse", type: "response", validVersions: "0-2", flexibleVersions: "2+", apiKey: 21,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "Topics", type: "[]DeleteRecordsTopicResult", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]DeleteRecordsPartitionResult", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "LowWatermark", type: "int64", versions: "0+" },
          { name: "ErrorCode", type: "int16", versions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "InitProducerIdRequest", type: "request", validVersions: "0-5", flexibleVersions: "2+", apiKey: 22,
    fields: [
      { name: "TransactionalId", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "TransactionTimeoutMs", type: "int32", versions: "0+" },
      { name: "ProducerId", type: "int64", versions: "3+", default: "-1" },
      { name: "ProducerEpoch", type: "int16", versions: "3+", default: "-1" },
    ],
  },
  {
    name: "InitProducerIdResponse", type: "response", validVersions: "0-5", flexibleVersions: "2+", apiKey: 22,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+", ignorable: true },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ProducerId", type: "int64", versions: "0+", default: "-1" },
      { name: "ProducerEpoch", type: "int16", versions: "0+" },
    ],
  },
  {
    name: "OffsetForLeaderEpochRequest", type: "request", validVersions: "2-4", flexibleVersions: "4+", apiKey: 23,
    fields: [
      { name: "ReplicaId", type: "int32", versions: "3+", default: "-2", ignorable: true },
      { name: "Topics", type: "[]OffsetForLeaderTopic", versions: "0+", fields: [
        { name: "Topic", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]OffsetForLeaderPartition", versions: "0+", fields: [
          { name: "Partition", type: "int32", versions: "0+" },
          { name: "CurrentLeaderEpoch", type: "int32", versions: "2+", default: "-1", ignorable: true },
          { name: "LeaderEpoch", type: "int32", versions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "OffsetForLeaderEpochResponse", type: "response", validVersions: "2-4", flexibleVersions: "4+", apiKey: 23,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "2+", ignorable: true },
      { name: "Topics", type: "[]OffsetForLeaderTopicResult", versions: "0+", fields: [
        { name: "Topic", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]EpochEndOffset", versions: "0+", fields: [
          { name: "ErrorCode", type: "int16", versions: "0+" },
          { name: "Partition", type: "int32", versions: "0+" },
          { name: "LeaderEpoch", type: "int32", versions: "1+", default: "-1", ignorable: true },
          { name: "EndOffset", type: "int64", versions: "0+", default: "-1" },
        ] },
      ] },
    ],
  },
  {
    name: "AddPartitionsToTxnRequest", type: "request", validVersions: "0-5", flexibleVersions: "3+", apiKey: 24,
    fields: [
      { name: "Transactions", type: "[]AddPartitionsToTxnTransaction", versions: "4+", fields: [
        { name: "TransactionalId", type: "string", versions: "4+" },
        { name: "ProducerId", type: "int64", versions: "4+" },
        { name: "ProducerEpoch", type: "int16", versions: "4+" },
        { name: "VerifyOnly", type: "bool", versions: "4+", default: "false" },
        { name: "Topics", type: "[]AddPartitionsToTxnTopic", versions: "4+" },
      ] },
      { name: "V3AndBelowTransactionalId", type: "string", versions: "0-3" },
      { name: "V3AndBelowProducerId", type: "int64", versions: "0-3" },
      { name: "V3AndBelowProducerEpoch", type: "int16", versions: "0-3" },
      { name: "V3AndBelowTopics", type: "[]AddPartitionsToTxnTopic", versions: "0-3" },
    ],
    commonStructs: [
      { name: "AddPartitionsToTxnTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]int32", versions: "0+" },
      ] },
    ],
  },
  {
    name: "AddPartitionsToTxnResponse", type: "response", validVersions: "0-5", flexibleVersions: "3+", apiKey: 24,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "4+", ignorable: true },
      { name: "ResultsByTransaction", type: "[]AddPartitionsToTxnResult", versions: "4+", fields: [
        { name: "TransactionalId", type: "string", versions: "4+" },
        { name: "TopicResults", type: "[]AddPartitionsToTxnTopicResult", versions: "4+" },
      ] },
      { name: "ResultsByTopicV3AndBelow", type: "[]AddPartitionsToTxnTopicResult", versions: "0-3" },
    ],
    commonStructs: [
      { name: "AddPartitionsToTxnTopicResult", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "ResultsByPartition", type: "[]AddPartitionsToTxnPartitionResult", versions: "0+" },
      ] },
      { name: "AddPartitionsToTxnPartitionResult", versions: "0+", fields: [
        { name: "PartitionIndex", type: "int32", versions: "0+" },
        { name: "PartitionErrorCode", type: "int16", versions: "0+" },
      ] },
    ],
  },
  {
    name: "AddOffsetsToTxnRequest", type: "request", validVersions: "0-4", flexibleVersions: "3+", apiKey: 25,
    fields: [
      { name: "TransactionalId", type: "string", versions: "0+" },
      { name: "ProducerId", type: "int64", versions: "0+" },
      { name: "ProducerEpoch", type: "int16", versions: "0+" },
      { name: "GroupId", type: "string", versions: "0+" },
    ],
  },
  {
    name: "AddOffsetsToTxnResponse", type: "response", validVersions: "0-4", flexibleVersions: "3+", apiKey: 25,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "0+" },
    ],
  },
  {
    name: "EndTxnRequest", type: "request", validVersions: "0-5", flexibleVersions: "3+", apiKey: 26, latestVersionUnstable: true,
    fields: [
      { name: "TransactionalId", type: "string", versions: "0+" },
      { name: "ProducerId", type: "int64", versions: "0+" },
      { name: "ProducerEpoch", type: "int16", versions: "0+" },
      { name: "Committed", type: "bool", versions: "0+" },
    ],
  },
  {
    name: "EndTxnResponse", type: "response", validVersions: "0-5", flexibleVersions: "3+", apiKey: 26,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ProducerId", type: "int64", versions: "5+", default: "-1", ignorable: true },
      { name: "ProducerEpoch", type: "int16", versions: "5+", default: "-1", ignorable: true },
    ],
  },
  {
    name: "WriteTxnMarkersRequest", type: "request", validVersions: "0-1", flexibleVersions: "1+", apiKey: 27,
    fields: [
      { name: "Markers", type: "[]WritableTxnMarker", versions: "0+", fields: [
        { name: "ProducerId", type: "int64", versions: "0+" },
        { name: "ProducerEpoch", type: "int16", versions: "0+" },
        { name: "TransactionResult", type: "bool", versions: "0+" },
        { name: "Topics", type: "[]WritableTxnMarkerTopic", versions: "0+", fields: [
          { name: "Name", type: "string", versions: "0+" },
          { name: "PartitionIndexes", type: "[]int32", versions: "0+" },
        ] },
        { name: "CoordinatorEpoch", type: "int32", versions: "0+" },
      ] },
    ],
  },
  {
    name: "WriteTxnMarkersResponse", type: "response", validVersions: "0-1", flexibleVersions: "1+", apiKey: 27,
    fields: [
      { name: "Markers", type: "[]WritableTxnMarkerResult", versions: "0+", fields: [
        { name: "ProducerId", type: "int64", versions: "0+" },
        { name: "Topics", type: "[]WritableTxnMarkerTopicResult", versions: "0+", fields: [
          { name: "Name", type: "string", versions: "0+" },
          { name: "Partitions", type: "[]WritableTxnMarkerPartitionResult", versions: "0+", fields: [
            { name: "PartitionIndex", type: "int32", versions: "0+" },
            { name: "ErrorCode", type: "int16", versions: "0+" },
          ] },
        ] },
      ] },
    ],
  },
  {
    name: "TxnOffsetCommitRequest", type: "request", validVersions: "0-4", flexibleVersions: "3+", apiKey: 28,
    fields: [
      { name: "TransactionalId", type: "string", versions: "0+" },
      { name: "GroupId", type: "string", versions: "0+" },
      { name: "ProducerId", type: "int64", versions: "0+" },
      { name: "ProducerEpoch", type: "int16", versions: "0+" },
      { name: "GenerationId", type: "int32", versions: "3+", default: "-1" },
      { name: "MemberId", type: "string", versions: "3+", default: "" },
      { name: "GroupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: "null" },
      { name: "Topics", type: "[]TxnOffsetCommitRequestTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]TxnOffsetCommitRequestPartition", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "CommittedOffset", type: "int64", versions: "0+" },
          { name: "CommittedLeaderEpoch", type: "int32", versions: "2+", default: "-1", ignorable: true },
          { name: "CommittedMetadata", type: "string", versions: "0+", nullableVersions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "TxnOffsetCommitResponse", type: "response", validVersions: "0-4", flexibleVersions: "3+", apiKey: 28,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "Topics", type: "[]TxnOffsetCommitResponseTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]TxnOffsetCommitResponsePartition", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "ErrorCode", type: "int16", versions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "DescribeAclsRequest", type: "request", validVersions: "0-3", flexibleVersions: "2+", apiKey: 29, deprecatedVersions: "0",
    fields: [
      { name: "ResourceTypeFilter", type: "int8", versions: "0+" },
      { name: "ResourceNameFilter", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "PatternTypeFilter", type: "int8", versions: "1+", default: "3" },
      { name: "PrincipalFilter", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "HostFilter", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "Operation", type: "int8", versions: "0+" },
      { name: "PermissionType", type: "int8", versions: "0+" },
    ],
  },
  {
    name: "DescribeAclsResponse", type: "response", validVersions: "0-3", flexibleVersions: "2+", apiKey: 29,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "Resources", type: "[]DescribeAclsResource", versions: "0+", fields: [
        { name: "ResourceType", type: "int8", versions: "0+" },
        { name: "ResourceName", type: "string", versions: "0+" },
        { name: "PatternType", type: "int8", versions: "1+", default: "3" },
        { name: "Acls", type: "[]AclDescription", versions: "0+", fields: [
          { name: "Principal", type: "string", versions: "0+" },
          { name: "Host", type: "string", versions: "0+" },
          { name: "Operation", type: "int8", versions: "0+" },
          { name: "PermissionType", type: "int8", versions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "CreateAclsRequest", type: "request", validVersions: "0-3", flexibleVersions: "2+", apiKey: 30, deprecatedVersions: "0",
    fields: [
      { name: "Creations", type: "[]AclCreation", versions: "0+", fields: [
        { name: "ResourceType", type: "int8", versions: "0+" },
        { name: "ResourceName", type: "string", versions: "0+" },
        { name: "ResourcePatternType", type: "int8", versions: "1+", default: "3" },
        { name: "Principal", type: "string", versions: "0+" },
        { name: "Host", type: "string", versions: "0+" },
        { name: "Operation", type: "int8", versions: "0+" },
        { name: "PermissionType", type: "int8", versions: "0+" },
      ] },
    ],
  },
  {
    name: "CreateAclsResponse", type: "response", validVersions: "0-3", flexibleVersions: "2+", apiKey: 30,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "Results", type: "[]AclCreationResult", versions: "0+", fields: [
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      ] },
    ],
  },
  {
    name: "DeleteAclsRequest", type: "request", validVersions: "0-3", flexibleVersions: "2+", apiKey: 31, deprecatedVersions: "0",
    fields: [
      { name: "Filters", type: "[]DeleteAclsFilter", versions: "0+", fields: [
        { name: "ResourceTypeFilter", type: "int8", versions: "0+" },
        { name: "ResourceNameFilter", type: "string", versions: "0+", nullableVersions: "0+" },
        { name: "PatternTypeFilter", type: "int8", versions: "1+", default: "3" },
        { name: "PrincipalFilter", type: "string", versions: "0+", nullableVersions: "0+" },
        { name: "HostFilter", type: "string", versions: "0+", nullableVersions: "0+" },
        { name: "Operation", type: "int8", versions: "0+" },
        { name: "PermissionType", type: "int8", versions: "0+" },
      ] },
    ],
  },
  {
    name: "DeleteAclsResponse", type: "response", validVersions: "0-3", flexibleVersions: "2+", apiKey: 31,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "FilterResults", type: "[]DeleteAclsFilterResult", versions: "0+", fields: [
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
        { name: "MatchingAcls", type: "[]DeleteAclsMatchingAcl", versions: "0+", fields: [
          { name: "ErrorCode", type: "int16", versions: "0+" },
          { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
          { name: "ResourceType", type: "int8", versions: "0+" },
          { name: "ResourceName", type: "string", versions: "0+" },
          { name: "PatternType", type: "int8", versions: "1+", default: "3" },
          { name: "Principal", type: "string", versions: "0+" },
          { name: "Host", type: "string", versions: "0+" },
          { name: "Operation", type: "int8", versions: "0+" },
          { name: "PermissionType", type: "int8", versions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "DescribeConfigsRequest", type: "request", validVersions: "0-4", flexibleVersions: "4+", apiKey: 32, deprecatedVersions: "0",
    fields: [
      { name: "Resources", type: "[]DescribeConfigsResource", versions: "0+", fields: [
        { name: "ResourceType", type: "int8", versions: "0+" },
        { name: "ResourceName", type: "string", versions: "0+" },
        { name: "ConfigurationKeys", type: "[]string", versions: "0+", nullableVersions: "0+" },
      ] },
      { name: "IncludeSynonyms", type: "bool", versions: "1+", default: "false" },
      { name: "IncludeDocumentation", type: "bool", versions: "3+", default: "false" },
    ],
  },
  {
    name: "DescribeConfigsResponse", type: "response", validVersions: "0-4", flexibleVersions: "4+", apiKey: 32,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "Results", type: "[]DescribeConfigsResult", versions: "0+", fields: [
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
        { name: "ResourceType", type: "int8", versions: "0+" },
        { name: "ResourceName", type: "string", versions: "0+" },
        { name: "Configs", type: "[]DescribeConfigsResourceResult", versions: "0+", fields: [
          { name: "Name", type: "string", versions: "0+" },
          { name: "Value", type: "string", versions: "0+", nullableVersions: "0+" },
          { name: "ReadOnly", type: "bool", versions: "0+" },
          { name: "IsDefault", type: "bool", versions: "0" },
          { name: "ConfigSource", type: "int8", versions: "1+", default: "-1", ignorable: true },
          { name: "IsSensitive", type: "bool", versions: "0+" },
          { name: "Synonyms", type: "[]DescribeConfigsSynonym", versions: "1+", ignorable: true, fields: [
            { name: "Name", type: "string", versions: "1+" },
            { name: "Value", type: "string", versions: "1+", nullableVersions: "0+" },
            { name: "Source", type: "int8", versions: "1+" },
          ] },
          { name: "ConfigType", type: "int8", versions: "3+", default: "0", ignorable: true },
          { name: "Documentation", type: "string", versions: "3+", nullableVersions: "0+", ignorable: true },
        ] },
      ] },
    ],
  },
  {
    name: "AlterConfigsRequest", type: "request", validVersions: "0-2", flexibleVersions: "2+", apiKey: 33,
    fields: [
      { name: "Resources", type: "[]AlterConfigsResource", versions: "0+", fields: [
        { name: "ResourceType", type: "int8", versions: "0+" },
        { name: "ResourceName", type: "string", versions: "0+" },
        { name: "Configs", type: "[]AlterableConfig", versions: "0+", fields: [
          { name: "Name", type: "string", versions: "0+" },
          { name: "Value", type: "string", versions: "0+", nullableVersions: "0+" },
        ] },
      ] },
      { name: "ValidateOnly", type: "bool", versions: "0+" },
    ],
  },
  {
    name: "AlterConfigsResponse", type: "response", validVersions: "0-2", flexibleVersions: "2+", apiKey: 33,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "Responses", type: "[]AlterConfigsResourceResponse", versions: "0+", fields: [
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
        { name: "ResourceType", type: "int8", versions: "0+" },
        { name: "ResourceName", type: "string", versions: "0+" },
      ] },
    ],
  },
  {
    name: "DescribeLogDirsRequest", type: "request", validVersions: "0-4", flexibleVersions: "2+", apiKey: 35, deprecatedVersions: "0",
    fields: [
      { name: "Topics", type: "[]DescribableLogDirTopic", versions: "0+", nullableVersions: "0+", fields: [
        { name: "Topic", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]int32", versions: "0+" },
      ] },
    ],
  },
  {
    name: "DescribeLogDirsResponse", type: "response", validVersions: "0-4", flexibleVersions: "2+", apiKey: 35,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "3+", ignorable: true },
      { name: "Results", type: "[]DescribeLogDirsResult", versions: "0+", fields: [
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "LogDir", type: "string", versions: "0+" },
        { name: "Topics", type: "[]DescribeLogDirsTopic", versions: "0+", fields: [
          { name: "Name", type: "string", versions: "0+" },
          { name: "Partitions", type: "[]DescribeLogDirsPartition", versions: "0+", fields: [
            { name: "PartitionIndex", type: "int32", versions: "0+" },
            { name: "PartitionSize", type: "int64", versions: "0+" },
            { name: "OffsetLag", type: "int64", versions: "0+" },
            { name: "IsFutureKey", type: "bool", versions: "0+" },
          ] },
        ] },
        { name: "TotalBytes", type: "int64", versions: "4+", default: "-1", ignorable: true },
        { name: "UsableBytes", type: "int64", versions: "4+", default: "-1", ignorable: true },
      ] },
    ],
  },
  {
    name: "SaslAuthenticateRequest", type: "request", validVersions: "0-2", flexibleVersions: "2+", apiKey: 36,
    fields: [
      { name: "AuthBytes", type: "bytes", versions: "0+" },
    ],
  },
  {
    name: "SaslAuthenticateResponse", type: "response", validVersions: "0-2", flexibleVersions: "2+", apiKey: 36,
    fields: [
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "AuthBytes", type: "bytes", versions: "0+" },
      { name: "SessionLifetimeMs", type: "int64", versions: "1+", default: "0", ignorable: true },
    ],
  },
  {
    name: "CreatePartitionsRequest", type: "request", validVersions: "0-3", flexibleVersions: "2+", apiKey: 37,
    fields: [
      { name: "Topics", type: "[]CreatePartitionsTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Count", type: "int32", versions: "0+" },
        { name: "Assignments", type: "[]CreatePartitionsAssignment", versions: "0+", nullableVersions: "0+", fields: [
          { name: "BrokerIds", type: "[]int32", versions: "0+" },
        ] },
      ] },
      { name: "TimeoutMs", type: "int32", versions: "0+" },
      { name: "ValidateOnly", type: "bool", versions: "0+" },
    ],
  },
  {
    name: "CreatePartitionsResponse", type: "response", validVersions: "0-3", flexibleVersions: "2+", apiKey: 37,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "Results", type: "[]CreatePartitionsTopicResult", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
      ] },
    ],
  },
  {
    name: "DeleteGroupsRequest", type: "request", validVersions: "0-2", flexibleVersions: "2+", apiKey: 42, deprecatedVersions: "0",
    fields: [
      { name: "GroupsNames", type: "[]string", versions: "0+" },
    ],
  },
  {
    name: "DeleteGroupsResponse", type: "response", validVersions: "0-2", flexibleVersions: "2+", apiKey: 42,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "Results", type: "[]DeletableGroupResult", versions: "0+", fields: [
        { name: "GroupId", type: "string", versions: "0+" },
        { name: "ErrorCode", type: "int16", versions: "0+" },
      ] },
    ],
  },
  {
    name: "ElectLeadersRequest", type: "request", validVersions: "0-2", flexibleVersions: "2+", apiKey: 43,
    fields: [
      { name: "ElectionType", type: "int8", versions: "1+" },
      { name: "TopicPartitions", type: "[]TopicPartitions", versions: "0+", nullableVersions: "0+", fields: [
        { name: "Topic", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]int32", versions: "0+" },
      ] },
      { name: "TimeoutMs", type: "int32", versions: "0+", default: "60000" },
    ],
  },
  {
    name: "ElectLeadersResponse", type: "response", validVersions: "0-2", flexibleVersions: "2+", apiKey: 43,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "1+" },
      { name: "ReplicaElectionResults", type: "[]ReplicaElectionResult", versions: "0+", fields: [
        { name: "Topic", type: "string", versions: "0+" },
        { name: "PartitionResult", type: "[]PartitionResult", versions: "0+", fields: [
          { name: "PartitionId", type: "int32", versions: "0+" },
          { name: "ErrorCode", type: "int16", versions: "0+" },
          { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "IncrementalAlterConfigsRequest", type: "request", validVersions: "0-1", flexibleVersions: "1+", apiKey: 44,
    fields: [
      { name: "Resources", type: "[]AlterConfigsResource", versions: "0+", fields: [
        { name: "ResourceType", type: "int8", versions: "0+" },
        { name: "ResourceName", type: "string", versions: "0+" },
        { name: "Configs", type: "[]AlterableConfig", versions: "0+", fields: [
          { name: "Name", type: "string", versions: "0+" },
          { name: "ConfigOperation", type: "int8", versions: "0+" },
          { name: "Value", type: "string", versions: "0+", nullableVersions: "0+" },
        ] },
      ] },
      { name: "ValidateOnly", type: "bool", versions: "0+" },
    ],
  },
  {
    name: "IncrementalAlterConfigsResponse", type: "response", validVersions: "0-1", flexibleVersions: "1+", apiKey: 44,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "Responses", type: "[]AlterConfigsResourceResponse", versions: "0+", fields: [
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
        { name: "ResourceType", type: "int8", versions: "0+" },
        { name: "ResourceName", type: "string", versions: "0+" },
      ] },
    ],
  },
  {
    name: "AlterPartitionReassignmentsRequest", type: "request", validVersions: "0", flexibleVersions: "0+", apiKey: 45,
    fields: [
      { name: "TimeoutMs", type: "int32", versions: "0+", default: "60000" },
      { name: "Topics", type: "[]ReassignableTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]ReassignablePartition", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "Replicas", type: "[]int32", versions: "0+", nullableVersions: "0+", default: "null" },
        ] },
      ] },
    ],
  },
  {
    name: "AlterPartitionReassignmentsResponse", type: "response", validVersions: "0", flexibleVersions: "0+", apiKey: 45,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "Responses", type: "[]ReassignableTopicResponse", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]ReassignablePartitionResponse", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "ErrorCode", type: "int16", versions: "0+" },
          { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "ListPartitionReassignmentsRequest", type: "request", validVersions: "0", flexibleVersions: "0+", apiKey: 46,
    fields: [
      { name: "TimeoutMs", type: "int32", versions: "0+", default: "60000" },
      { name: "Topics", type: "[]ListPartitionReassignmentsTopics", versions: "0+", nullableVersions: "0+", default: "null", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "PartitionIndexes", type: "[]int32", versions: "0+" },
      ] },
    ],
  },
  {
    name: "ListPartitionReassignmentsResponse", type: "response", validVersions: "0", flexibleVersions: "0+", apiKey: 46,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "Topics", type: "[]OngoingTopicReassignment", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]OngoingPartitionReassignment", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "Replicas", type: "[]int32", versions: "0+" },
          { name: "AddingReplicas", type: "[]int32", versions: "0+" },
          { name: "RemovingReplicas", type: "[]int32", versions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "OffsetDeleteRequest", type: "request", validVersions: "0", flexibleVersions: "none", apiKey: 47,
    fields: [
      { name: "GroupId", type: "string", versions: "0+" },
      { name: "Topics", type: "[]OffsetDeleteRequestTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]OffsetDeleteRequestPartition", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "OffsetDeleteResponse", type: "response", validVersions: "0", flexibleVersions: "none", apiKey: 47,
    fields: [
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ThrottleTimeMs", type: "int32", versions: "0+", ignorable: true },
      { name: "Topics", type: "[]OffsetDeleteResponseTopic", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]OffsetDeleteResponsePartition", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "ErrorCode", type: "int16", versions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "DescribeClusterRequest", type: "request", validVersions: "0-1", flexibleVersions: "0+", apiKey: 60,
    fields: [
      { name: "IncludeClusterAuthorizedOperations", type: "bool", versions: "0+" },
      { name: "EndpointType", type: "int8", versions: "1+", default: "1" },
    ],
  },
  {
    name: "DescribeClusterResponse", type: "response", validVersions: "0-1", flexibleVersions: "0+", apiKey: 60,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
      { name: "EndpointType", type: "int8", versions: "1+", default: "1" },
      { name: "ClusterId", type: "string", versions: "0+" },
      { name: "ControllerId", type: "int32", versions: "0+", default: "-1" },
      { name: "Brokers", type: "[]DescribeClusterBroker", versions: "0+", fields: [
        { name: "BrokerId", type: "int32", versions: "0+" },
        { name: "Host", type: "string", versions: "0+" },
        { name: "Port", type: "int32", versions: "0+" },
        { name: "Rack", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
      ] },
      { name: "ClusterAuthorizedOperations", type: "int32", versions: "0+", default: "-2147483648" },
    ],
  },
  {
    name: "DescribeProducersRequest", type: "request", validVersions: "0", flexibleVersions: "0+", apiKey: 61,
    fields: [
      { name: "Topics", type: "[]TopicRequest", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "PartitionIndexes", type: "[]int32", versions: "0+" },
      ] },
    ],
  },
  {
    name: "DescribeProducersResponse", type: "response", validVersions: "0", flexibleVersions: "0+", apiKey: 61,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "Topics", type: "[]TopicResponse", versions: "0+", fields: [
        { name: "Name", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]PartitionResponse", versions: "0+", fields: [
          { name: "PartitionIndex", type: "int32", versions: "0+" },
          { name: "ErrorCode", type: "int16", versions: "0+" },
          { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
          { name: "ActiveProducers", type: "[]ProducerState", versions: "0+", fields: [
            { name: "ProducerId", type: "int64", versions: "0+" },
            { name: "ProducerEpoch", type: "int32", versions: "0+" },
            { name: "LastSequence", type: "int32", versions: "0+", default: "-1" },
            { name: "LastTimestamp", type: "int64", versions: "0+", default: "-1" },
            { name: "CoordinatorEpoch", type: "int32", versions: "0+" },
            { name: "CurrentTxnStartOffset", type: "int64", versions: "0+", default: "-1" },
          ] },
        ] },
      ] },
    ],
  },
  {
    name: "DescribeTransactionsRequest", type: "request", validVersions: "0", flexibleVersions: "0+", apiKey: 65,
    fields: [
      { name: "TransactionalIds", type: "[]string", versions: "0+" },
    ],
  },
  {
    name: "DescribeTransactionsResponse", type: "response", validVersions: "0", flexibleVersions: "0+", apiKey: 65,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "TransactionStates", type: "[]TransactionState", versions: "0+", fields: [
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "TransactionalId", type: "string", versions: "0+" },
        { name: "TransactionState", type: "string", versions: "0+" },
        { name: "TransactionTimeoutMs", type: "int32", versions: "0+" },
        { name: "TransactionStartTimeMs", type: "int64", versions: "0+" },
        { name: "ProducerId", type: "int64", versions: "0+" },
        { name: "ProducerEpoch", type: "int16", versions: "0+" },
        { name: "Topics", type: "[]TopicData", versions: "0+", fields: [
          { name: "Topic", type: "string", versions: "0+" },
          { name: "Partitions", type: "[]int32", versions: "0+" },
        ] },
      ] },
    ],
  },
  {
    name: "ListTransactionsRequest", type: "request", validVersions: "0-1", flexibleVersions: "0+", apiKey: 66,
    fields: [
      { name: "StateFilters", type: "[]string", versions: "0+" },
      { name: "ProducerIdFilters", type: "[]int64", versions: "0+" },
      { name: "DurationFilter", type: "int64", versions: "1+", default: "-1" },
    ],
  },
  {
    name: "ListTransactionsResponse", type: "response", validVersions: "0-1", flexibleVersions: "0+", apiKey: 66,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "UnknownStateFilters", type: "[]string", versions: "0+" },
      { name: "TransactionStates", type: "[]TransactionState", versions: "0+", fields: [
        { name: "TransactionalId", type: "string", versions: "0+" },
        { name: "ProducerId", type: "int64", versions: "0+" },
        { name: "TransactionState", type: "string", versions: "0+" },
      ] },
    ],
  },
  {
    name: "ConsumerGroupHeartbeatRequest", type: "request", validVersions: "0-1", flexibleVersions: "0+", apiKey: 68,
    fields: [
      { name: "GroupId", type: "string", versions: "0+" },
      { name: "MemberId", type: "string", versions: "0+" },
      { name: "MemberEpoch", type: "int32", versions: "0+" },
      { name: "InstanceId", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
      { name: "RackId", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
      { name: "RebalanceTimeoutMs", type: "int32", versions: "0+", default: "-1" },
      { name: "SubscribedTopicNames", type: "[]string", versions: "0+", nullableVersions: "0+", default: "null" },
      { name: "SubscribedTopicRegex", type: "string", versions: "1+", nullableVersions: "1+", default: "null" },
      { name: "ServerAssignor", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
      { name: "TopicPartitions", type: "[]TopicPartitions", versions: "0+", nullableVersions: "0+", default: "null", fields: [
        { name: "TopicId", type: "uuid", versions: "0+" },
        { name: "Partitions", type: "[]int32", versions: "0+" },
      ] },
    ],
  },
  {
    name: "ConsumerGroupHeartbeatResponse", type: "response", validVersions: "0-1", flexibleVersions: "0+", apiKey: 68,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "ErrorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
      { name: "MemberId", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
      { name: "MemberEpoch", type: "int32", versions: "0+" },
      { name: "HeartbeatIntervalMs", type: "int32", versions: "0+" },
      { name: "Assignment", type: "Assignment", versions: "0+", nullableVersions: "0+", default: "null", fields: [
        { name: "TopicPartitions", type: "[]TopicPartitions", versions: "0+" },
      ] },
    ],
    commonStructs: [
      { name: "TopicPartitions", versions: "0+", fields: [
        { name: "TopicId", type: "uuid", versions: "0+" },
        { name: "Partitions", type: "[]int32", versions: "0+" },
      ] },
    ],
  },
  {
    name: "ConsumerGroupDescribeRequest", type: "request", validVersions: "0", flexibleVersions: "0+", apiKey: 69,
    fields: [
      { name: "GroupIds", type: "[]string", versions: "0+" },
      { name: "IncludeAuthorizedOperations", type: "bool", versions: "0+" },
    ],
  },
  {
    name: "ConsumerGroupDescribeResponse", type: "response", validVersions: "0", flexibleVersions: "0+", apiKey: 69,
    fields: [
      { name: "ThrottleTimeMs", type: "int32", versions: "0+" },
      { name: "Groups", type: "[]DescribedGroup", versions: "0+", fields: [
        { name: "ErrorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
        { name: "GroupId", type: "string", versions: "0+" },
        { name: "GroupState", type: "string", versions: "0+" },
        { name: "GroupEpoch", type: "int32", versions: "0+" },
        { name: "AssignmentEpoch", type: "int32", versions: "0+" },
        { name: "AssignorName", type: "string", versions: "0+" },
        { name: "Members", type: "[]Member", versions: "0+", fields: [
          { name: "MemberId", type: "string", versions: "0+" },
          { name: "InstanceId", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
          { name: "RackId", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
          { name: "MemberEpoch", type: "int32", versions: "0+" },
          { name: "ClientId", type: "string", versions: "0+" },
          { name: "ClientHost", type: "string", versions: "0+" },
          { name: "SubscribedTopicNames", type: "[]string", versions: "0+" },
          { name: "SubscribedTopicRegex", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
          { name: "Assignment", type: "Assignment", versions: "0+" },
          { name: "TargetAssignment", type: "Assignment", versions: "0+" },
        ] },
        { name: "AuthorizedOperations", type: "int32", versions: "0+", default: "-2147483648" },
      ] },
    ],
    commonStructs: [
      { name: "TopicPartitions", versions: "0+", fields: [
        { name: "TopicId", type: "uuid", versions: "0+" },
        { name: "TopicName", type: "string", versions: "0+" },
        { name: "Partitions", type: "[]int32", versions: "0+" },
      ] },
      { name: "Assignment", versions: "0+", fields: [
        { name: "TopicPartitions", type: "[]TopicPartitions", versions: "0+" },
      ] },
    ],
  },
];
