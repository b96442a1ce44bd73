package io.switchboard.serde;

import org.apache.avro.data.TimeConversions;
import org.apache.avro.specific.SpecificData;

/**
 * The Avro data model for every Switchboard event. Generated classes register logical-type conversions only for
 * their own fields, so a timestamp nested in a union of another record would not encode; this model knows them all.
 */
public final class EventModel {
    private static final SpecificData MODEL = create();

    private EventModel() {
    }

    public static SpecificData get() {
        return MODEL;
    }

    private static SpecificData create() {
        SpecificData model = new SpecificData(EventModel.class.getClassLoader());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        model.addLogicalTypeConversion(new TimeConversions.DateConversion());
        return model;
    }
}
