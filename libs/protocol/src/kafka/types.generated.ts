// GENERATED FILE - do not edit by hand.
// Body interfaces of Kafka protocol messages; field names are Kafka's, lower-camel-cased.
// int64 is bigint, uuid is a lower-case 8-4-4-4-12 hex string, bytes/records are Buffers.
// Fields absent from a version decode to their default. Regenerate from the repo root with:
//   node -r ./tools/scripts/register.js tools/protocol-gen/generate.ts /path/to/kafka-protocol/messages

export interface RequestHeader {
  requestApiKey: number;
  requestApiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface ResponseHeader {
  correlationId: number;
}

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: ProduceRequestTopicProduceData[];
}

export interface ProduceRequestTopicProduceData {
  name: string;
  partitionData: ProduceRequestPartitionProduceData[];
}

export interface ProduceRequestPartitionProduceData {
  index: number;
  records: Buffer | null;
}

export interface ProduceResponse {
  responses: ProduceResponseTopicProduceResponse[];
  throttleTimeMs: number;
  nodeEndpoints: ProduceResponseNodeEndpoint[];
}

export interface ProduceResponseNodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface ProduceResponseTopicProduceResponse {
  name: string;
  partitionResponses: ProduceResponsePartitionProduceResponse[];
}

export interface ProduceResponsePartitionProduceResponse {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
  recordErrors: ProduceResponseBatchIndexAndErrorMessage[];
  errorMessage: string | null;
  currentLeader: ProduceResponseLeaderIdAndEpoch;
}

export interface ProduceResponseLeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}

export interface ProduceResponseBatchIndexAndErrorMessage {
  batchIndex: number;
  batchIndexErrorMessage: string | null;
}

export interface FetchRequest {
  clusterId: string | null;
  replicaId: number;
  replicaState: FetchRequestReplicaState;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: FetchRequestFetchTopic[];
  forgottenTopicsData: FetchRequestForgottenTopic[];
  rackId: string;
}

export interface FetchRequestForgottenTopic {
  topic: string;
  topicId: string;
  partitions: number[];
}

export interface FetchRequestFetchTopic {
  topic: string;
  topicId: string;
  partitions: FetchRequestFetchPartition[];
}

export interface FetchRequestFetchPartition {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: bigint;
  lastFetchedEpoch: number;
  logStartOffset: bigint;
  partitionMaxBytes: number;
  replicaDirectoryId: string;
}

export interface FetchRequestReplicaState {
  replicaId: number;
  replicaEpoch: bigint;
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: FetchResponseFetchableTopicResponse[];
  nodeEndpoints: FetchResponseNodeEndpoint[];
}

export interface FetchResponseNodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface FetchResponseFetchableTopicResponse {
  topic: string;
  topicId: string;
  partitions: FetchResponsePartitionData[];
}

export interface FetchResponsePartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  divergingEpoch: FetchResponseEpochEndOffset;
  currentLeader: FetchResponseLeaderIdAndEpoch;
  snapshotId: FetchResponseSnapshotId;
  abortedTransactions: FetchResponseAbortedTransaction[] | null;
  preferredReadReplica: number;
  records: Buffer | null;
}

export interface FetchResponseAbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

export interface FetchResponseSnapshotId {
  endOffset: bigint;
  epoch: number;
}

export interface FetchResponseLeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}

export interface FetchResponseEpochEndOffset {
  epoch: number;
  endOffset: bigint;
}

export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: ListOffsetsRequestListOffsetsTopic[];
  timeoutMs: number;
}

export interface ListOffsetsRequestListOffsetsTopic {
  name: string;
  partitions: ListOffsetsRequestListOffsetsPartition[];
}

export interface ListOffsetsRequestListOffsetsPartition {
  partitionIndex: number;
  currentLeaderEpoch: number;
  timestamp: bigint;
  maxNumOffsets: number;
}

export interface ListOffsetsResponse {
  throttleTimeMs: number;
  topics: ListOffsetsResponseListOffsetsTopicResponse[];
}

export interface ListOffsetsResponseListOffsetsTopicResponse {
  name: string;
  partitions: ListOffsetsResponseListOffsetsPartitionResponse[];
}

export interface ListOffsetsResponseListOffsetsPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  oldStyleOffsets: bigint[];
  timestamp: bigint;
  offset: bigint;
  leaderEpoch: number;
}

export interface MetadataRequest {
  topics: MetadataRequestMetadataRequestTopic[] | null;
  allowAutoTopicCreation: boolean;
  includeClusterAuthorizedOperations: boolean;
  includeTopicAuthorizedOperations: boolean;
}

export interface MetadataRequestMetadataRequestTopic {
  topicId: string;
  name: string | null;
}

export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataResponseMetadataResponseBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataResponseMetadataResponseTopic[];
  clusterAuthorizedOperations: number;
}

export interface MetadataResponseMetadataResponseTopic {
  errorCode: number;
  name: string | null;
  topicId: string;
  isInternal: boolean;
  partitions: MetadataResponseMetadataResponsePartition[];
  topicAuthorizedOperations: number;
}

export interface MetadataResponseMetadataResponsePartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

export interface MetadataResponseMetadataResponseBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: bigint;
  topics: OffsetCommitRequestOffsetCommitRequestTopic[];
}

export interface OffsetCommitRequestOffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestOffsetCommitRequestPartition[];
}

export interface OffsetCommitRequestOffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  commitTimestamp: bigint;
  committedMetadata: string | null;
}

export interface OffsetCommitResponse {
  throttleTimeMs: number;
  topics: OffsetCommitResponseOffsetCommitResponseTopic[];
}

export interface OffsetCommitResponseOffsetCommitResponseTopic {
  name: string;
  partitions: OffsetCommitResponseOffsetCommitResponsePartition[];
}

export interface OffsetCommitResponseOffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

export interface OffsetFetchRequest {
  groupId: string;
  topics: OffsetFetchRequestOffsetFetchRequestTopic[] | null;
  groups: OffsetFetchRequestOffsetFetchRequestGroup[];
  requireStable: boolean;
}

export interface OffsetFetchRequestOffsetFetchRequestGroup {
  groupId: string;
  memberId: string | null;
  memberEpoch: number;
  topics: OffsetFetchRequestOffsetFetchRequestTopics[] | null;
}

export interface OffsetFetchRequestOffsetFetchRequestTopics {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchRequestOffsetFetchRequestTopic {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchResponse {
  throttleTimeMs: number;
  topics: OffsetFetchResponseOffsetFetchResponseTopic[];
  errorCode: number;
  groups: OffsetFetchResponseOffsetFetchResponseGroup[];
}

export interface OffsetFetchResponseOffsetFetchResponseGroup {
  groupId: string;
  topics: OffsetFetchResponseOffsetFetchResponseTopics[];
  errorCode: number;
}

export interface OffsetFetchResponseOffsetFetchResponseTopics {
  name: string;
  partitions: OffsetFetchResponseOffsetFetchResponsePartitions[];
}

export interface OffsetFetchResponseOffsetFetchResponsePartitions {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchResponseOffsetFetchResponseTopic {
  name: string;
  partitions: OffsetFetchResponseOffsetFetchResponsePartition[];
}

export interface OffsetFetchResponseOffsetFetchResponsePartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
  coordinatorKeys: string[];
}

export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
  coordinators: FindCoordinatorResponseCoordinator[];
}

export interface FindCoordinatorResponseCoordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupRequestJoinGroupRequestProtocol[];
  reason: string | null;
}

export interface JoinGroupRequestJoinGroupRequestProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: JoinGroupResponseJoinGroupResponseMember[];
}

export interface JoinGroupResponseJoinGroupResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
  members: LeaveGroupRequestMemberIdentity[];
}

export interface LeaveGroupRequestMemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
  reason: string | null;
}

export interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  members: LeaveGroupResponseMemberResponse[];
}

export interface LeaveGroupResponseMemberResponse {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: SyncGroupRequestSyncGroupRequestAssignment[];
}

export interface SyncGroupRequestSyncGroupRequestAssignment {
  memberId: string;
  assignment: Buffer;
}

export interface SyncGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations: boolean;
}

export interface DescribeGroupsResponse {
  throttleTimeMs: number;
  groups: DescribeGroupsResponseDescribedGroup[];
}

export interface DescribeGroupsResponseDescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribeGroupsResponseDescribedGroupMember[];
  authorizedOperations: number;
}

export interface DescribeGroupsResponseDescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface ListGroupsRequest {
  statesFilter: string[];
  typesFilter: string[];
}

export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  groups: ListGroupsResponseListedGroup[];
}

export interface ListGroupsResponseListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

export interface SaslHandshakeRequest {
  mechanism: string;
}

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

export interface ApiVersionsRequest {
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionsResponseApiVersion[];
  throttleTimeMs: number;
  supportedFeatures: ApiVersionsResponseSupportedFeatureKey[];
  finalizedFeaturesEpoch: bigint;
  finalizedFeatures: ApiVersionsResponseFinalizedFeatureKey[];
  zkMigrationReady: boolean;
}

export interface ApiVersionsResponseFinalizedFeatureKey {
  name: string;
  maxVersionLevel: number;
  minVersionLevel: number;
}

export interface ApiVersionsResponseSupportedFeatureKey {
  name: string;
  minVersion: number;
  maxVersion: number;
}

export interface ApiVersionsResponseApiVersion {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface CreateTopicsRequest {
  topics: CreateTopicsRequestCreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreateTopicsRequestCreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: CreateTopicsRequestCreatableReplicaAssignment[];
  configs: CreateTopicsRequestCreatableTopicConfig[];
}

export interface CreateTopicsRequestCreatableTopicConfig {
  name: string;
  value: string | null;
}

export interface CreateTopicsRequestCreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}

export interface CreateTopicsResponse {
  throttleTimeMs: number;
  topics: CreateTopicsResponseCreatableTopicResult[];
}

export interface CreateTopicsResponseCreatableTopicResult {
  name: string;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
  topicConfigErrorCode: number;
  numPartitions: number;
  replicationFactor: number;
  configs: CreateTopicsResponseCreatableTopicConfigs[] | null;
}

export interface CreateTopicsResponseCreatableTopicConfigs {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
}

export interface DeleteTopicsRequest {
  topics: DeleteTopicsRequestDeleteTopicState[];
  topicNames: string[];
  timeoutMs: number;
}

export interface DeleteTopicsRequestDeleteTopicState {
  name: string | null;
  topicId: string;
}

export interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: DeleteTopicsResponseDeletableTopicResult[];
}

export interface DeleteTopicsResponseDeletableTopicResult {
  name: string | null;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface DeleteRecordsRequest {
  topics: DeleteRecordsRequestDeleteRecordsTopic[];
  timeoutMs: number;
}

export interface DeleteRecordsRequestDeleteRecordsTopic {
  name: string;
  partitions: DeleteRecordsRequestDeleteRecordsPartition[];
}

export interface DeleteRecordsRequestDeleteRecordsPartition {
  partitionIndex: number;
  offset: bigint;
}

export interface DeleteRecordsResponse {
  throttleTimeMs: number;
  topics: DeleteRecordsResponseDeleteRecordsTopicResult[];
}

export interface DeleteRecordsResponseDeleteRecordsTopicResult {
  name: string;
  partitions: DeleteRecordsResponseDeleteRecordsPartitionResult[];
}

export interface DeleteRecordsResponseDeleteRecordsPartitionResult {
  partitionIndex: number;
  lowWatermark: bigint;
  errorCode: number;
}

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface OffsetForLeaderEpochRequest {
  replicaId: number;
  topics: OffsetForLeaderEpochRequestOffsetForLeaderTopic[];
}

export interface OffsetForLeaderEpochRequestOffsetForLeaderTopic {
  topic: string;
  partitions: OffsetForLeaderEpochRequestOffsetForLeaderPartition[];
}

export interface OffsetForLeaderEpochRequestOffsetForLeaderPartition {
  partition: number;
  currentLeaderEpoch: number;
  leaderEpoch: number;
}

export interface OffsetForLeaderEpochResponse {
  throttleTimeMs: number;
  topics: OffsetForLeaderEpochResponseOffsetForLeaderTopicResult[];
}

export interface OffsetForLeaderEpochResponseOffsetForLeaderTopicResult {
  topic: string;
  partitions: OffsetForLeaderEpochResponseEpochEndOffset[];
}

export interface OffsetForLeaderEpochResponseEpochEndOffset {
  errorCode: number;
  partition: number;
  leaderEpoch: number;
  endOffset: bigint;
}

export interface AddPartitionsToTxnRequest {
  transactions: AddPartitionsToTxnRequestAddPartitionsToTxnTransaction[];
  v3AndBelowTransactionalId: string;
  v3AndBelowProducerId: bigint;
  v3AndBelowProducerEpoch: number;
  v3AndBelowTopics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[];
}

export interface AddPartitionsToTxnRequestAddPartitionsToTxnTransaction {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[];
}

export interface AddPartitionsToTxnRequestAddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}

export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
  resultsByTransaction: AddPartitionsToTxnResponseAddPartitionsToTxnResult[];
  resultsByTopicV3AndBelow: AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[];
}

export interface AddPartitionsToTxnResponseAddPartitionsToTxnResult {
  transactionalId: string;
  topicResults: AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[];
}

export interface AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult {
  name: string;
  resultsByPartition: AddPartitionsToTxnResponseAddPartitionsToTxnPartitionResult[];
}

export interface AddPartitionsToTxnResponseAddPartitionsToTxnPartitionResult {
  partitionIndex: number;
  partitionErrorCode: number;
}

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  groupId: string;
}

export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export interface EndTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  committed: boolean;
}

export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface WriteTxnMarkersRequest {
  markers: WriteTxnMarkersRequestWritableTxnMarker[];
}

export interface WriteTxnMarkersRequestWritableTxnMarker {
  producerId: bigint;
  producerEpoch: number;
  transactionResult: boolean;
  topics: WriteTxnMarkersRequestWritableTxnMarkerTopic[];
  coordinatorEpoch: number;
}

export interface WriteTxnMarkersRequestWritableTxnMarkerTopic {
  name: string;
  partitionIndexes: number[];
}

export interface WriteTxnMarkersResponse {
  markers: WriteTxnMarkersResponseWritableTxnMarkerResult[];
}

export interface WriteTxnMarkersResponseWritableTxnMarkerResult {
  producerId: bigint;
  topics: WriteTxnMarkersResponseWritableTxnMarkerTopicResult[];
}

export interface WriteTxnMarkersResponseWritableTxnMarkerTopicResult {
  name: string;
  partitions: WriteTxnMarkersResponseWritableTxnMarkerPartitionResult[];
}

export interface WriteTxnMarkersResponseWritableTxnMarkerPartitionResult {
  partitionIndex: number;
  errorCode: number;
}

export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: TxnOffsetCommitRequestTxnOffsetCommitRequestTopic[];
}

export interface TxnOffsetCommitRequestTxnOffsetCommitRequestTopic {
  name: string;
  partitions: TxnOffsetCommitRequestTxnOffsetCommitRequestPartition[];
}

export interface TxnOffsetCommitRequestTxnOffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

export interface TxnOffsetCommitResponse {
  throttleTimeMs: number;
  topics: TxnOffsetCommitResponseTxnOffsetCommitResponseTopic[];
}

export interface TxnOffsetCommitResponseTxnOffsetCommitResponseTopic {
  name: string;
  partitions: TxnOffsetCommitResponseTxnOffsetCommitResponsePartition[];
}

export interface TxnOffsetCommitResponseTxnOffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

export interface DescribeAclsRequest {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export interface DescribeAclsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  resources: DescribeAclsResponseDescribeAclsResource[];
}

export interface DescribeAclsResponseDescribeAclsResource {
  resourceType: number;
  resourceName: string;
  patternType: number;
  acls: DescribeAclsResponseAclDescription[];
}

export interface DescribeAclsResponseAclDescription {
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface CreateAclsRequest {
  creations: CreateAclsRequestAclCreation[];
}

export interface CreateAclsRequestAclCreation {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface CreateAclsResponse {
  throttleTimeMs: number;
  results: CreateAclsResponseAclCreationResult[];
}

export interface CreateAclsResponseAclCreationResult {
  errorCode: number;
  errorMessage: string | null;
}

export interface DeleteAclsRequest {
  filters: DeleteAclsRequestDeleteAclsFilter[];
}

export interface DeleteAclsRequestDeleteAclsFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export interface DeleteAclsResponse {
  throttleTimeMs: number;
  filterResults: DeleteAclsResponseDeleteAclsFilterResult[];
}

export interface DeleteAclsResponseDeleteAclsFilterResult {
  errorCode: number;
  errorMessage: string | null;
  matchingAcls: DeleteAclsResponseDeleteAclsMatchingAcl[];
}

export interface DeleteAclsResponseDeleteAclsMatchingAcl {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface DescribeConfigsRequest {
  resources: DescribeConfigsRequestDescribeConfigsResource[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export interface DescribeConfigsRequestDescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  configurationKeys: string[] | null;
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResponseDescribeConfigsResult[];
}

export interface DescribeConfigsResponseDescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsResponseDescribeConfigsResourceResult[];
}

export interface DescribeConfigsResponseDescribeConfigsResourceResult {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: DescribeConfigsResponseDescribeConfigsSynonym[];
  configType: number;
  documentation: string | null;
}

export interface DescribeConfigsResponseDescribeConfigsSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface AlterConfigsRequest {
  resources: AlterConfigsRequestAlterConfigsResource[];
  validateOnly: boolean;
}

export interface AlterConfigsRequestAlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: AlterConfigsRequestAlterableConfig[];
}

export interface AlterConfigsRequestAlterableConfig {
  name: string;
  value: string | null;
}

export interface AlterConfigsResponse {
  throttleTimeMs: number;
  responses: AlterConfigsResponseAlterConfigsResourceResponse[];
}

export interface AlterConfigsResponseAlterConfigsResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export interface DescribeLogDirsRequest {
  topics: DescribeLogDirsRequestDescribableLogDirTopic[] | null;
}

export interface DescribeLogDirsRequestDescribableLogDirTopic {
  topic: string;
  partitions: number[];
}

export interface DescribeLogDirsResponse {
  throttleTimeMs: number;
  errorCode: number;
  results: DescribeLogDirsResponseDescribeLogDirsResult[];
}

export interface DescribeLogDirsResponseDescribeLogDirsResult {
  errorCode: number;
  logDir: string;
  topics: DescribeLogDirsResponseDescribeLogDirsTopic[];
  totalBytes: bigint;
  usableBytes: bigint;
}

export interface DescribeLogDirsResponseDescribeLogDirsTopic {
  name: string;
  partitions: DescribeLogDirsResponseDescribeLogDirsPartition[];
}

export interface DescribeLogDirsResponseDescribeLogDirsPartition {
  partitionIndex: number;
  partitionSize: bigint;
  offsetLag: bigint;
  isFutureKey: boolean;
}

export interface SaslAuthenticateRequest {
  authBytes: Buffer;
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: bigint;
}

export interface CreatePartitionsRequest {
  topics: CreatePartitionsRequestCreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsRequestCreatePartitionsTopic {
  name: string;
  count: number;
  assignments: CreatePartitionsRequestCreatePartitionsAssignment[] | null;
}

export interface CreatePartitionsRequestCreatePartitionsAssignment {
  brokerIds: number[];
}

export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: CreatePartitionsResponseCreatePartitionsTopicResult[];
}

export interface CreatePartitionsResponseCreatePartitionsTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface DeleteGroupsRequest {
  groupsNames: string[];
}

export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: DeleteGroupsResponseDeletableGroupResult[];
}

export interface DeleteGroupsResponseDeletableGroupResult {
  groupId: string;
  errorCode: number;
}

export interface ElectLeadersRequest {
  electionType: number;
  topicPartitions: ElectLeadersRequestTopicPartitions[] | null;
  timeoutMs: number;
}

export interface ElectLeadersRequestTopicPartitions {
  topic: string;
  partitions: number[];
}

export interface ElectLeadersResponse {
  throttleTimeMs: number;
  errorCode: number;
  replicaElectionResults: ElectLeadersResponseReplicaElectionResult[];
}

export interface ElectLeadersResponseReplicaElectionResult {
  topic: string;
  partitionResult: ElectLeadersResponsePartitionResult[];
}

export interface ElectLeadersResponsePartitionResult {
  partitionId: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface IncrementalAlterConfigsRequest {
  resources: IncrementalAlterConfigsRequestAlterConfigsResource[];
  validateOnly: boolean;
}

export interface IncrementalAlterConfigsRequestAlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: IncrementalAlterConfigsRequestAlterableConfig[];
}

export interface IncrementalAlterConfigsRequestAlterableConfig {
  name: string;
  configOperation: number;
  value: string | null;
}

export interface IncrementalAlterConfigsResponse {
  throttleTimeMs: number;
  responses: IncrementalAlterConfigsResponseAlterConfigsResourceResponse[];
}

export interface IncrementalAlterConfigsResponseAlterConfigsResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: AlterPartitionReassignmentsRequestReassignableTopic[];
}

export interface AlterPartitionReassignmentsRequestReassignableTopic {
  name: string;
  partitions: AlterPartitionReassignmentsRequestReassignablePartition[];
}

export interface AlterPartitionReassignmentsRequestReassignablePartition {
  partitionIndex: number;
  replicas: number[] | null;
}

export interface AlterPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: AlterPartitionReassignmentsResponseReassignableTopicResponse[];
}

export interface AlterPartitionReassignmentsResponseReassignableTopicResponse {
  name: string;
  partitions: AlterPartitionReassignmentsResponseReassignablePartitionResponse[];
}

export interface AlterPartitionReassignmentsResponseReassignablePartitionResponse {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface ListPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: ListPartitionReassignmentsRequestListPartitionReassignmentsTopics[] | null;
}

export interface ListPartitionReassignmentsRequestListPartitionReassignmentsTopics {
  name: string;
  partitionIndexes: number[];
}

export interface ListPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  topics: ListPartitionReassignmentsResponseOngoingTopicReassignment[];
}

export interface ListPartitionReassignmentsResponseOngoingTopicReassignment {
  name: string;
  partitions: ListPartitionReassignmentsResponseOngoingPartitionReassignment[];
}

export interface ListPartitionReassignmentsResponseOngoingPartitionReassignment {
  partitionIndex: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface OffsetDeleteRequest {
  groupId: string;
  topics: OffsetDeleteRequestOffsetDeleteRequestTopic[];
}

export interface OffsetDeleteRequestOffsetDeleteRequestTopic {
  name: string;
  partitions: OffsetDeleteRequestOffsetDeleteRequestPartition[];
}

export interface OffsetDeleteRequestOffsetDeleteRequestPartition {
  partitionIndex: number;
}

export interface OffsetDeleteResponse {
  errorCode: number;
  throttleTimeMs: number;
  topics: OffsetDeleteResponseOffsetDeleteResponseTopic[];
}

export interface OffsetDeleteResponseOffsetDeleteResponseTopic {
  name: string;
  partitions: OffsetDeleteResponseOffsetDeleteResponsePartition[];
}

export interface OffsetDeleteResponseOffsetDeleteResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean;
  endpointType: number;
}

export interface DescribeClusterResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  endpointType: number;
  clusterId: string;
  controllerId: number;
  brokers: DescribeClusterResponseDescribeClusterBroker[];
  clusterAuthorizedOperations: number;
}

export interface DescribeClusterResponseDescribeClusterBroker {
  brokerId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface DescribeProducersRequest {
  topics: DescribeProducersRequestTopicRequest[];
}

export interface DescribeProducersRequestTopicRequest {
  name: string;
  partitionIndexes: number[];
}

export interface DescribeProducersResponse {
  throttleTimeMs: number;
  topics: DescribeProducersResponseTopicResponse[];
}

export interface DescribeProducersResponseTopicResponse {
  name: string;
  partitions: DescribeProducersResponsePartitionResponse[];
}

export interface DescribeProducersResponsePartitionResponse {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
  activeProducers: DescribeProducersResponseProducerState[];
}

export interface DescribeProducersResponseProducerState {
  producerId: bigint;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: bigint;
  coordinatorEpoch: number;
  currentTxnStartOffset: bigint;
}

export interface DescribeTransactionsRequest {
  transactionalIds: string[];
}

export interface DescribeTransactionsResponse {
  throttleTimeMs: number;
  transactionStates: DescribeTransactionsResponseTransactionState[];
}

export interface DescribeTransactionsResponseTransactionState {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: bigint;
  producerId: bigint;
  producerEpoch: number;
  topics: DescribeTransactionsResponseTopicData[];
}

export interface DescribeTransactionsResponseTopicData {
  topic: string;
  partitions: number[];
}

export interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: bigint[];
  durationFilter: bigint;
}

export interface ListTransactionsResponse {
  throttleTimeMs: number;
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: ListTransactionsResponseTransactionState[];
}

export interface ListTransactionsResponseTransactionState {
  transactionalId: string;
  producerId: bigint;
  transactionState: string;
}

export interface ConsumerGroupHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  topicPartitions: ConsumerGroupHeartbeatRequestTopicPartitions[] | null;
}

export interface ConsumerGroupHeartbeatRequestTopicPartitions {
  topicId: string;
  partitions: number[];
}

export interface ConsumerGroupHeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: ConsumerGroupHeartbeatResponseAssignment | null;
}

export interface ConsumerGroupHeartbeatResponseAssignment {
  topicPartitions: ConsumerGroupHeartbeatResponseTopicPartitions[];
}

export interface ConsumerGroupHeartbeatResponseTopicPartitions {
  topicId: string;
  partitions: number[];
}

export interface ConsumerGroupDescribeRequest {
  groupIds: string[];
  includeAuthorizedOperations: boolean;
}

export interface ConsumerGroupDescribeResponse {
  throttleTimeMs: number;
  groups: ConsumerGroupDescribeResponseDescribedGroup[];
}

export interface ConsumerGroupDescribeResponseDescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: ConsumerGroupDescribeResponseMember[];
  authorizedOperations: number;
}

export interface ConsumerGroupDescribeResponseMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: ConsumerGroupDescribeResponseAssignment;
  targetAssignment: ConsumerGroupDescribeResponseAssignment;
}

export interface ConsumerGroupDescribeResponseAssignment {
  topicPartitions: ConsumerGroupDescribeResponseTopicPartitions[];
}

export interface ConsumerGroupDescribeResponseTopicPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}

/** API keys by API name. */
export const API_KEYS = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  WriteTxnMarkers: 27,
  TxnOffsetCommit: 28,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  DescribeLogDirs: 35,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  OffsetDelete: 47,
  DescribeCluster: 60,
  DescribeProducers: 61,
  DescribeTransactions: 65,
  ListTransactions: 66,
  ConsumerGroupHeartbeat: 68,
  ConsumerGroupDescribe: 69,
} as const;

export type ApiName = keyof typeof API_KEYS;
export type ApiKey = (typeof API_KEYS)[ApiName];

/** Request body type by API key. */
export interface RequestBodyByApiKey {
  0: ProduceRequest;
  1: FetchRequest;
  2: ListOffsetsRequest;
  3: MetadataRequest;
  8: OffsetCommitRequest;
  9: OffsetFetchRequest;
  10: FindCoordinatorRequest;
  11: JoinGroupRequest;
  12: HeartbeatRequest;
  13: LeaveGroupRequest;
  14: SyncGroupRequest;
  15: DescribeGroupsRequest;
  16: ListGroupsRequest;
  17: SaslHandshakeRequest;
  18: ApiVersionsRequest;
  19: CreateTopicsRequest;
  20: DeleteTopicsRequest;
  21: DeleteRecordsRequest;
  22: InitProducerIdRequest;
  23: OffsetForLeaderEpochRequest;
  24: AddPartitionsToTxnRequest;
  25: AddOffsetsToTxnRequest;
  26: EndTxnRequest;
  27: WriteTxnMarkersRequest;
  28: TxnOffsetCommitRequest;
  29: DescribeAclsRequest;
  30: CreateAclsRequest;
  31: DeleteAclsRequest;
  32: DescribeConfigsRequest;
  33: AlterConfigsRequest;
  35: DescribeLogDirsRequest;
  36: SaslAuthenticateRequest;
  37: CreatePartitionsRequest;
  42: DeleteGroupsRequest;
  43: ElectLeadersRequest;
  44: IncrementalAlterConfigsRequest;
  45: AlterPartitionReassignmentsRequest;
  46: ListPartitionReassignmentsRequest;
  47: OffsetDeleteRequest;
  60: DescribeClusterRequest;
  61: DescribeProducersRequest;
  65: DescribeTransactionsRequest;
  66: ListTransactionsRequest;
  68: ConsumerGroupHeartbeatRequest;
  69: ConsumerGroupDescribeRequest;
}

/** Response body type by API key. */
export interface ResponseBodyByApiKey {
  0: ProduceResponse;
  1: FetchResponse;
  2: ListOffsetsResponse;
  3: MetadataResponse;
  8: OffsetCommitResponse;
  9: OffsetFetchResponse;
  10: FindCoordinatorResponse;
  11: JoinGroupResponse;
  12: HeartbeatResponse;
  13: LeaveGroupResponse;
  14: SyncGroupResponse;
  15: DescribeGroupsResponse;
  16: ListGroupsResponse;
  17: SaslHandshakeResponse;
  18: ApiVersionsResponse;
  19: CreateTopicsResponse;
  20: DeleteTopicsResponse;
  21: DeleteRecordsResponse;
  22: InitProducerIdResponse;
  23: OffsetForLeaderEpochResponse;
  24: AddPartitionsToTxnResponse;
  25: AddOffsetsToTxnResponse;
  26: EndTxnResponse;
  27: WriteTxnMarkersResponse;
  28: TxnOffsetCommitResponse;
  29: DescribeAclsResponse;
  30: CreateAclsResponse;
  31: DeleteAclsResponse;
  32: DescribeConfigsResponse;
  33: AlterConfigsResponse;
  35: DescribeLogDirsResponse;
  36: SaslAuthenticateResponse;
  37: CreatePartitionsResponse;
  42: DeleteGroupsResponse;
  43: ElectLeadersResponse;
  44: IncrementalAlterConfigsResponse;
  45: AlterPartitionReassignmentsResponse;
  46: ListPartitionReassignmentsResponse;
  47: OffsetDeleteResponse;
  60: DescribeClusterResponse;
  61: DescribeProducersResponse;
  65: DescribeTransactionsResponse;
  66: ListTransactionsResponse;
  68: ConsumerGroupHeartbeatResponse;
  69: ConsumerGroupDescribeResponse;
}
