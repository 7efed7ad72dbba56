{{/* Names are fixed: module = spring.application.name = image = Service = Helm component. */}}

{{- define "barrage.components" -}}
gateway user-service video-service danmaku-service push-service scheduler-service
{{- end -}}

{{- define "barrage.stateless" -}}
gateway user-service video-service scheduler-service
{{- end -}}

{{/* The components that use Redis: each gets its address and, with redis.auth.enabled, its password. */}}
{{- define "barrage.redisUsers" -}}
gateway user-service video-service danmaku-service
{{- end -}}

{{/* TLS in front of the gateway: HSTS and Secure cookies. */}}
{{- define "barrage.tls" -}}
{{- if or .Values.tls.enabled .Values.ingress.tls.enabled }}true{{ end -}}
{{- end -}}

{{- define "barrage.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/component: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: barrage
app.kubernetes.io/version: {{ include "barrage.tag" .root | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "barrage.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "barrage.tag" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag | toString -}}
{{- if eq $tag "latest" -}}
{{- fail "image.tag must not be latest: pin a version so that rollbacks and rollouts mean something" -}}
{{- end -}}
{{- $tag -}}
{{- end -}}

{{- define "barrage.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .name (include "barrage.tag" .root) -}}
{{- end -}}

{{- define "barrage.secretName" -}}
{{- default "barrage-credentials" .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "barrage.checks" -}}
{{- if not (has .Values.discovery.mode (list "nacos" "kubernetes")) -}}
{{- fail "discovery.mode must be nacos or kubernetes" -}}
{{- end -}}
{{- if and .Values.kafka.sasl.enabled (not .Values.secrets.existingSecret) -}}
{{- fail "kafka.sasl.enabled needs secrets.existingSecret with the key kafka-password (the broker's user)" -}}
{{- end -}}
{{- if and .Values.kafka.sasl.enabled (not (has .Values.kafka.sasl.mechanism (list "PLAIN" "SCRAM-SHA-256" "SCRAM-SHA-512"))) -}}
{{- fail "kafka.sasl.mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512" -}}
{{- end -}}
{{- if lt (int .Values.push.shards) 1 -}}
{{- fail "push.shards must be at least 1" -}}
{{- end -}}
{{- $vt := .Values.videoTranscoder -}}
{{- if and $vt.enabled $vt.keda.enabled (gt (int $vt.keda.maxReplicas) (int (index .Values.kafka.topics.partitions "video.transcode-jobs"))) -}}
{{- fail "videoTranscoder.keda.maxReplicas must not exceed the partitions of video.transcode-jobs: a worker beyond them would idle" -}}
{{- end -}}
{{- if gt (int .Values.push.shards) (int (index .Values.kafka.topics.partitions "danmaku.events")) -}}
{{- fail "push.shards must not exceed the partitions of danmaku.events: a shard owns whole partitions" -}}
{{- end -}}
{{- end -}}

{{/* The Spring configuration of one component, rendered into its ConfigMap. */}}
{{- define "barrage.springConfig" -}}
{{- $root := .root -}}
{{- $name := .name -}}
{{- $svc := index $root.Values.services $name -}}
{{- $v := $root.Values -}}
{{- $cfg := dict -}}
{{- $_ := set $cfg "server" (dict "port" $svc.port) -}}
{{- $management := dict "server" (dict "port" $svc.managementPort) -}}
{{- $_ := set $cfg "management" $management -}}
{{- $kafka := dict "bootstrap-servers" $v.kafka.bootstrapServers -}}
{{- if $v.kafka.sasl.enabled -}}
{{- $module := ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $v.kafka.sasl.mechanism "PLAIN") -}}
{{- /* the password stays in the Secret: Spring resolves the placeholder from the container's environment */ -}}
{{- $jaas := printf "%s required username=\"%s\" password=\"${BARRAGE_KAFKA_PASSWORD}\";" $module $v.kafka.sasl.username -}}
{{- $_ := set $kafka "properties" (dict "security.protocol" $v.kafka.sasl.securityProtocol "sasl.mechanism" $v.kafka.sasl.mechanism "sasl.jaas.config" $jaas) -}}
{{- end -}}
{{- $spring := dict "kafka" $kafka -}}
{{- if $svc.database -}}
{{- $url := printf "jdbc:mariadb://%s:%v/%s" $v.mysql.host $v.mysql.port $svc.database -}}
{{- if $v.mysql.parameters }}{{ $url = printf "%s?%s" $url $v.mysql.parameters }}{{ end -}}
{{- $_ := set $spring "datasource" (dict "url" $url "username" $svc.database) -}}
{{- end -}}
{{- if has $name (include "barrage.redisUsers" $root | splitList " ") -}}
{{- $redis := dict "host" $v.redis.host "port" $v.redis.port -}}
{{- if and $v.redis.auth.enabled $v.redis.auth.username }}{{ $_ := set $redis "username" $v.redis.auth.username }}{{ end -}}
{{- $_ := set $spring "data" (dict "redis" $redis) -}}
{{- end -}}
{{- $cloud := dict -}}
{{- if eq $v.discovery.mode "nacos" -}}
{{- $nacos := dict "enabled" true "server-addr" $v.nacos.serverAddr "group" $v.nacos.group -}}
{{- if $v.nacos.namespace }}{{ $_ := set $nacos "namespace" $v.nacos.namespace }}{{ end -}}
{{- $_ := set $cloud "nacos" (dict "discovery" $nacos) -}}
{{- else -}}
{{- $instances := dict -}}
{{- range $target := list "user-service" "video-service" "danmaku-service" -}}
{{- $port := (index $v.services $target).port -}}
{{- $_ := set $instances $target (list (dict "uri" (printf "http://%s.%s.svc.cluster.local:%v" $target $root.Release.Namespace $port))) -}}
{{- end -}}
{{- $shards := list -}}
{{- range $i := until (int $v.push.shards) -}}
{{- $shards = append $shards (dict "uri" (printf "http://push-service-%d.push-service-headless.%s.svc.cluster.local:%v" $i $root.Release.Namespace (index $v.services "push-service").port) "metadata" (dict "shard" (toString $i))) -}}
{{- end -}}
{{- $_ := set $instances "push-service" $shards -}}
{{- $_ := set $cloud "nacos" (dict "discovery" (dict "enabled" false)) -}}
{{- $_ := set $cloud "discovery" (dict "client" (dict "simple" (dict "instances" $instances))) -}}
{{- end -}}
{{- $_ := set $spring "cloud" $cloud -}}
{{- $_ := set $cfg "spring" $spring -}}
{{- $barrage := dict -}}
{{- if has $name (list "video-service" "scheduler-service") -}}
{{- $_ := set $barrage "s3" (dict "endpoint" $v.s3.endpoint "bucket" $v.s3.bucket) -}}
{{- end -}}
{{- if eq $name "video-service" -}}
{{- /* the API pods transcode only when no video-transcoder Deployment does (its pods turn the role on) */ -}}
{{- $_ := set $barrage "video" (dict "transcode" (dict "worker-enabled" (not $v.videoTranscoder.enabled))) -}}
{{- with $v.s3.publicEndpoint }}
{{- /* viewers' URLs are signed for the address browsers reach */ -}}
{{- $_ := set $barrage.video "storage" (dict "public-endpoint" . "region" $v.s3.region) -}}
{{- end -}}
{{- end -}}
{{- if eq $name "push-service" -}}
{{- $_ := set $barrage "push" (dict "shard-count" (int $v.push.shards) "allowed-origins" $v.cors.allowedOrigins "spread-threshold" (int $v.push.spreadThreshold) "spread-max-shards" (int $v.push.spreadMaxShards)) -}}
{{- /* every meter of a shard carries its index: the dashboard's connections per shard */ -}}
{{- $_ := set $management "metrics" (dict "tags" (dict "shard" "${barrage.push.shard-index:0}")) -}}
{{- end -}}
{{- if and (eq $name "user-service") (include "barrage.tls" $root) -}}
{{- $_ := set $barrage "session" (dict "cookie-secure" true) -}}
{{- end -}}
{{- if eq $name "gateway" -}}
{{- $_ := set $barrage "gateway" (dict "push-shards" (int $v.push.shards) "cors" (dict "allowed-origins" $v.cors.allowedOrigins)) -}}
{{- if include "barrage.tls" $root }}{{ $_ := set $barrage.gateway "tls" (dict "enabled" true) }}{{ end -}}
{{- with $v.ingress.trustedProxies }}{{ $_ := set $barrage.gateway "trusted-proxies" . }}{{ end -}}
{{- with $v.s3.publicEndpoint }}
{{- /* the web UI loads segments from the store's public origin (presigned delivery) */ -}}
{{- $_ := set $barrage.gateway "csp" (dict "media-origins" (list (include "barrage.origin" .))) -}}
{{- end -}}
{{- /* per-route timings (spring.cloud.gateway.requests, off by default) with buckets: the gateway latency
       panel and alert, which must leave WebSocket upgrades out */ -}}
{{- $histograms := dict "http.server.requests" true "spring.cloud.gateway.requests" true -}}
{{- $_ := set $management "metrics" (dict "distribution" (dict "percentiles-histogram" $histograms)) -}}
{{- $_ := set $spring "cloud" (mustMergeOverwrite $cloud (dict "gateway" (dict "server" (dict "webflux" (dict "metrics" (dict "enabled" true)))))) -}}
{{- end -}}
{{- if $barrage }}{{ $_ := set $cfg "barrage" $barrage }}{{ end -}}
{{- mustMergeOverwrite $cfg (deepCopy (default dict $svc.config)) | toYaml -}}
{{- end -}}

{{/* Pod template shared by the Deployments and the push-service StatefulSet. */}}
{{- /* .name: the workload (labels, selector); .component (default .name): the image, ConfigMap and
       secrets it runs with, so that video-transcoder runs video-service; .svc (default
       services[.component]): ports, resources and grace period; .env: extra environment; .jvmOptions. */ -}}
{{- define "barrage.podTemplate" -}}
{{- $root := .root -}}
{{- $name := .name -}}
{{- $component := default .name .component -}}
{{- $svc := default (index $root.Values.services $component) .svc -}}
{{- $mgmtPort := $svc.managementPort -}}
metadata:
  labels:
    {{- include "barrage.labels" . | nindent 4 }}
  annotations:
    # a changed configuration rolls the pods
    checksum/config: {{ include "barrage.springConfig" (dict "root" $root "name" $component) | sha256sum }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ $mgmtPort | quote }}
    prometheus.io/path: /actuator/prometheus
spec:
  automountServiceAccountToken: false
  enableServiceLinks: false
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ default 30 $svc.terminationGracePeriodSeconds }}
  {{- with $root.Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if $root.Values.topologySpread }}
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "barrage.selector" . | nindent 10 }}
  {{- end }}
  containers:
    - name: {{ $name }}
      image: {{ include "barrage.image" (dict "root" $root "name" $component) }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      securityContext:
        {{- toYaml $root.Values.containerSecurityContext | nindent 8 }}
      ports:
        - name: http
          containerPort: {{ $svc.port }}
        - name: management
          containerPort: {{ $mgmtPort }}
      env:
        - name: SPRING_PROFILES_ACTIVE
          value: k8s
        - name: SPRING_CONFIG_ADDITIONALLOCATION
          value: optional:file:/config/
        # the image has a default; the chart's value wins (and is the port the probes use)
        - name: MANAGEMENT_SERVER_PORT
          value: {{ $mgmtPort | quote }}
        - name: JAVA_TOOL_OPTIONS
          value: {{ printf "%s -Djava.io.tmpdir=/tmp" (default $root.Values.jvm.options .jvmOptions) | quote }}
        - name: BARRAGE_SERVICETOKEN
          valueFrom:
            secretKeyRef:
              name: {{ include "barrage.secretName" $root }}
              key: service-token
        {{- if and $root.Values.redis.auth.enabled (has $component (include "barrage.redisUsers" $root | splitList " ")) }}
        - name: SPRING_DATA_REDIS_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "barrage.secretName" $root }}
              key: redis-password
        {{- end }}
        {{- if $root.Values.kafka.sasl.enabled }}
        - name: BARRAGE_KAFKA_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "barrage.secretName" $root }}
              key: kafka-password
        {{- end }}
        {{- if $svc.database }}
        - name: SPRING_DATASOURCE_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "barrage.secretName" $root }}
              key: {{ $component }}-db-password
        {{- end }}
        {{- if has $component (list "video-service" "scheduler-service") }}
        - name: BARRAGE_S3_ACCESSKEY
          valueFrom:
            secretKeyRef:
              name: {{ include "barrage.secretName" $root }}
              key: s3-access-key
        - name: BARRAGE_S3_SECRETKEY
          valueFrom:
            secretKeyRef:
              name: {{ include "barrage.secretName" $root }}
              key: s3-secret-key
        {{- end }}
        {{- if eq $name "push-service" }}
        # the StatefulSet ordinal is the shard index
        - name: BARRAGE_PUSH_SHARDINDEX
          valueFrom:
            fieldRef:
              fieldPath: metadata.labels['apps.kubernetes.io/pod-index']
        {{- end }}
        {{- if eq $name "danmaku-service" }}
        # the StatefulSet ordinal is the worker id of the danmaku ids this instance mints
        - name: BARRAGE_DANMAKU_WORKERID
          valueFrom:
            fieldRef:
              fieldPath: metadata.labels['apps.kubernetes.io/pod-index']
        {{- end }}
        {{- with .env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        - name: POD_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
      startupProbe:
        httpGet:
          path: /actuator/health/liveness
          port: {{ $mgmtPort }}
        periodSeconds: {{ $root.Values.probes.startup.periodSeconds }}
        failureThreshold: {{ $root.Values.probes.startup.failureThreshold }}
      livenessProbe:
        httpGet:
          path: /actuator/health/liveness
          port: {{ $mgmtPort }}
        periodSeconds: {{ $root.Values.probes.liveness.periodSeconds }}
        timeoutSeconds: {{ $root.Values.probes.liveness.timeoutSeconds }}
        failureThreshold: {{ $root.Values.probes.liveness.failureThreshold }}
      readinessProbe:
        httpGet:
          path: /actuator/health/readiness
          port: {{ $mgmtPort }}
        periodSeconds: {{ $root.Values.probes.readiness.periodSeconds }}
        timeoutSeconds: {{ $root.Values.probes.readiness.timeoutSeconds }}
        failureThreshold: {{ $root.Values.probes.readiness.failureThreshold }}
      lifecycle:
        preStop:
          # let the endpoints controller and the ingress drop this pod before Spring stops accepting
          exec:
            command: ["sleep", "5"]
      resources:
        {{- toYaml $svc.resources | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /config
          readOnly: true
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: config
      configMap:
        name: {{ $component }}
    - name: tmp
      emptyDir:
        sizeLimit: {{ default $root.Values.tmpSizeLimit $svc.tmpSizeLimit }}
{{- end -}}

{{/* scheme://host[:port] of a URL: what a Content-Security-Policy source names. */}}
{{- define "barrage.origin" -}}
{{- $u := urlParse . -}}
{{- printf "%s://%s" $u.scheme $u.host -}}
{{- end -}}
