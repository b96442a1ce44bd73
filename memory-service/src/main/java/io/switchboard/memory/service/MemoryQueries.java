package io.switchboard.memory.service;

import io.switchboard.config.InternalToken;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Summary;
import io.switchboard.memory.MemoryJson;
import io.switchboard.memory.MemoryQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * Answers retrievals from the local memory's stores ({@link MemoryTopology}) by interactive queries: a customer's
 * subjects and, following {@link CustomerLinks}, the subjects linked to them, each read from this instance's store
 * when it owns the subject's partition (or runs alone), else asked of the instance that does over the internal API
 * ({@code GET /memory/internal/customers/{subject}}); the union is ranked with {@link Ranking}.
 * <p>"Not ready" ({@link InvalidStateStoreException}, a 503 the caller may retry) while the streams are not created
 * yet, rebalance or restore.
 */
final class MemoryQueries {
    /** Address → profile → the profile's other addresses: how far a retrieval follows links. */
    static final int MAX_LINK_HOPS = 2;

    /** A subject's memory and the subjects linked to it (the same customer: see {@link CustomerLinks}). */
    record Customer(Memory memory, List<String> linked) {
    }

    private final Vertx vertx;
    private final WebClient web; // asks the instance owning a customer; kept in a field (Vert.x 5)
    private final Supplier<KafkaStreams> streams;
    private final HostInfo self;
    private final InternalToken token;
    private final int historyPerCustomer;

    /**
     * @param streams the running streams, null before they are created
     * @param self    this instance's {@code application.server}, null when it runs alone (every subject is local)
     */
    MemoryQueries(Vertx vertx, WebClient web, Supplier<KafkaStreams> streams, HostInfo self, InternalToken token,
            int historyPerCustomer) {
        this.vertx = vertx;
        this.web = web;
        this.streams = streams;
        this.self = self;
        this.token = token;
        this.historyPerCustomer = historyPerCustomer;
    }

    Future<Memory> retrieve(MemoryQuery query, Limits limits) {
        List<String> subjects = Addresses.subjects(query.profileId(), query.address());
        return gather(subjects, new LinkedHashSet<>(subjects), new ArrayList<>(), 0).map(parts -> {
            Map<String, Observation> observations = new LinkedHashMap<>();
            Map<String, Summary> summaries = new LinkedHashMap<>();
            Map<String, PastCommunication> communications = new LinkedHashMap<>();
            for (Memory m : parts) {
                m.getObservations().forEach(o -> observations.putIfAbsent(o.getId(), o));
                m.getSummaries().forEach(x -> summaries.putIfAbsent(x.getId(), x));
                m.getCommunications().forEach(c -> communications.putIfAbsent(c.getId(), c));
            }
            return Ranking.rank(new ArrayList<>(observations.values()), new ArrayList<>(summaries.values()),
                    new ArrayList<>(communications.values()), query, limits);
        });
    }

    /** The memories of {@code frontier} and, breadth first, of the subjects linked to them (never one twice). */
    private Future<List<Memory>> gather(List<String> frontier, Set<String> seen, List<Memory> found, int hops) {
        List<Future<Customer>> parts = new ArrayList<>();
        for (String subject : frontier) {
            parts.add(customer(subject));
        }
        return Future.all(parts).compose(all -> {
            List<String> next = new ArrayList<>();
            for (Future<Customer> part : parts) {
                found.add(part.result().memory());
                if (hops < MAX_LINK_HOPS) {
                    part.result().linked().stream().filter(seen::add).forEach(next::add);
                }
            }
            return next.isEmpty() ? Future.succeededFuture(found) : gather(next, seen, found, hops + 1);
        });
    }

    /** Everything kept about one subject, from this instance's store or from the instance owning the subject. */
    Future<Customer> customer(String subject) {
        if (self != null) {
            KafkaStreams running = streams.get();
            if (running == null) {
                return Future.failedFuture(new InvalidStateStoreException("local memory is starting"));
            }
            // rows are partitioned by subject (the repartition key), so the subject finds the owner
            KeyQueryMetadata owner = running.queryMetadataForKey(MemoryItems.ITEMS_STORE, subject,
                    Serdes.String().serializer());
            HostInfo active = owner == null ? null : owner.activeHost();
            if (active != null && !active.equals(HostInfo.unavailable()) && !active.equals(self)) {
                return remoteCustomer(active, subject);
            }
        }
        return localCustomer(subject);
    }

    private Future<Customer> remoteCustomer(HostInfo owner, String subject) {
        return web.getAbs("http://" + owner.host() + ":" + owner.port() + "/memory/internal/customers/"
                        + URLEncoder.encode(subject, StandardCharsets.UTF_8))
                .putHeader("Authorization", token.authorizationHeader())
                .timeout(5_000).send()
                .compose(response -> response.statusCode() == 200
                        ? Future.succeededFuture(customerFromJson(response.bodyAsString()))
                        : Future.failedFuture(response.statusCode() == 503
                                ? new InvalidStateStoreException("memory instance " + owner + " is not ready")
                                : new IllegalStateException("memory instance " + owner + " answered "
                                        + response.statusCode())));
    }

    /** The subject's memory and links from this instance's stores only (empty when absent); the internal API's answer. */
    Future<Customer> localCustomer(String subject) {
        return vertx.executeBlocking(() -> {
            KafkaStreams running = started();
            Memory memory = MemoryItems.read(running.store(StoreQueryParameters.fromNameAndType(MemoryItems.ITEMS_STORE,
                    QueryableStoreTypes.<String, Memory>keyValueStore())), subject, historyPerCustomer);
            List<String> linked = CustomerLinks.read(running.store(StoreQueryParameters.fromNameAndType(
                    CustomerLinks.STORE, QueryableStoreTypes.<String, Long>keyValueStore())), subject);
            return new Customer(memory, linked);
        }, false);
    }

    /** The running streams; before they are created, "not ready" as while they restore (503). */
    private KafkaStreams started() {
        KafkaStreams current = streams.get();
        if (current == null) {
            throw new InvalidStateStoreException("local memory is starting");
        }
        return current;
    }

    /** The internal API's answer: the memory's JSON plus {@code linkedSubjects} (which older instances ignore). */
    static String customerToJson(Customer customer) {
        JsonObject json = new JsonObject(MemoryJson.memoryToJson(customer.memory()));
        return json.put("linkedSubjects", new JsonArray(new ArrayList<>(customer.linked()))).encode();
    }

    static Customer customerFromJson(String body) {
        JsonObject json = new JsonObject(body);
        JsonArray linked = json.getJsonArray("linkedSubjects", new JsonArray());
        List<String> subjects = new ArrayList<>();
        linked.forEach(l -> subjects.add(String.valueOf(l)));
        return new Customer(MemoryJson.memoryFromJson(body), subjects);
    }
}
